"""Delivery record: what carried each message and what the server answered, per-message extras
(attachments, sender, mentions, SMS parameters), fallbacks,
link opens and acknowledgements, and the hash-chained ledger (催办记录)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 00:30:00
"""

import sqlalchemy as sa
from alembic import op

import kaohe.models.base

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_as', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('answer', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('extras', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('fallback_of', sa.String(length=300), nullable=True))
    op.create_table('delivery_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('stage_key', sa.String(length=100), nullable=True),
    sa.Column('event', sa.String(length=20), nullable=False),
    sa.Column('at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_delivery_events_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_delivery_events_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_events'))
    )
    op.create_index('ix_delivery_events_cycle_unit', 'delivery_events', ['cycle_id', 'unit_id'], unique=False)
    op.create_table('delivery_ledger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=320), nullable=False),
    sa.Column('entry', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('sealed_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_delivery_ledger_cycle_id_cycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_ledger')),
    sa.UniqueConstraint('cycle_id', 'seq', name=op.f('uq_delivery_ledger_cycle_id_seq'))
    )
    op.create_index(op.f('ix_delivery_ledger_cycle_id'), 'delivery_ledger', ['cycle_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_delivery_ledger_cycle_id'), table_name='delivery_ledger')
    op.drop_table('delivery_ledger')
    op.drop_index('ix_delivery_events_cycle_unit', table_name='delivery_events')
    op.drop_table('delivery_events')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('fallback_of')
        batch_op.drop_column('extras')
        batch_op.drop_column('answer')
        batch_op.drop_column('sent_as')
