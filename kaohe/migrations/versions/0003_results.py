"""Results out: published result versions (a correction is a new version), per-unit results and rectification items

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 05:35:44.170670
"""

import sqlalchemy as sa
from alembic import op

import kaohe.models.base

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('result_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('inputs', sa.JSON(), nullable=False),
    sa.Column('rectify_rule', sa.String(length=50), nullable=False),
    sa.Column('documents_dir', sa.Text(), nullable=False),
    sa.Column('published_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.Column('published_by', sa.String(length=200), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('feedback_sent_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=True),
    sa.Column('created_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_result_versions_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['result_versions.id'], name=op.f('fk_result_versions_supersedes_id_result_versions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_versions')),
    sa.UniqueConstraint('cycle_id', 'version', name=op.f('uq_result_versions_cycle_id_version'))
    )
    with op.batch_alter_table('result_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_versions_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('unit_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('total', sa.String(length=40), nullable=False),
    sa.Column('grade', sa.String(length=50), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('group', sa.String(length=200), nullable=False),
    sa.Column('overall_rank', sa.Integer(), nullable=True),
    sa.Column('selections', sa.JSON(), nullable=False),
    sa.Column('must_rectify', sa.Boolean(), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('letter_path', sa.Text(), nullable=True),
    sa.Column('changed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_unit_results_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_results_unit_id_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['result_versions.id'], name=op.f('fk_unit_results_version_id_result_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_results')),
    sa.UniqueConstraint('version_id', 'unit_id', name=op.f('uq_unit_results_version_id_unit_id'))
    )
    with op.batch_alter_table('unit_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_results_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_results_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_results_version_id'), ['version_id'], unique=False)

    op.create_table('rectification_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('obligation_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reviewed_by', sa.String(length=200), nullable=True),
    sa.Column('reviewed_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=True),
    sa.Column('created_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_rectification_items_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligations.id'], name=op.f('fk_rectification_items_obligation_id_obligations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_rectification_items_unit_id_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['result_versions.id'], name=op.f('fk_rectification_items_version_id_result_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_items')),
    sa.UniqueConstraint('unit_id', 'number', name=op.f('uq_rectification_items_unit_id_number'))
    )
    with op.batch_alter_table('rectification_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_items_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectification_items_obligation_id'), ['obligation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectification_items_unit_id'), ['unit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rectification_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_items_unit_id'))
        batch_op.drop_index(batch_op.f('ix_rectification_items_obligation_id'))
        batch_op.drop_index(batch_op.f('ix_rectification_items_cycle_id'))

    op.drop_table('rectification_items')
    with op.batch_alter_table('unit_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_results_version_id'))
        batch_op.drop_index(batch_op.f('ix_unit_results_unit_id'))
        batch_op.drop_index(batch_op.f('ix_unit_results_cycle_id'))

    op.drop_table('unit_results')
    with op.batch_alter_table('result_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_versions_cycle_id'))

    op.drop_table('result_versions')
