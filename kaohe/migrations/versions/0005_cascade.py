"""Cascaded calendars: a cycle's parent cycle, whole-stage deadlines an admin pinned, and the date changes
that flowed down to a cycle with their acknowledgement

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 00:30:00
"""

import sqlalchemy as sa
from alembic import op

import kaohe.models.base

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('parent_unit', sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f('ix_cycles_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cycles_parent_id_cycles'), 'cycles', ['parent_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('cycle_stages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pinned_due', kaohe.models.base.AwareDateTime(timezone=True), nullable=True))
    op.create_table('date_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('origin_cycle_id', sa.Integer(), nullable=True),
    sa.Column('cause', sa.String(length=50), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('stages', sa.JSON(), nullable=False),
    sa.Column('units', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_by', sa.String(length=200), nullable=True),
    sa.Column('acknowledged_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=True),
    sa.Column('acknowledgement_note', sa.Text(), nullable=True),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_date_changes_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['origin_cycle_id'], ['cycles.id'], name=op.f('fk_date_changes_origin_cycle_id_cycles'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_date_changes'))
    )
    with op.batch_alter_table('date_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_date_changes_cycle_id'), ['cycle_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('date_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_date_changes_cycle_id'))
    op.drop_table('date_changes')
    with op.batch_alter_table('cycle_stages', schema=None) as batch_op:
        batch_op.drop_column('pinned_due')
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cycles_parent_id_cycles'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cycles_parent_id'))
        batch_op.drop_column('parent_unit')
        batch_op.drop_column('parent_id')
