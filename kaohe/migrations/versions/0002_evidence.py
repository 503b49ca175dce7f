"""Evidence in: submissions and their closing, item scores and verification sign-off, sample draws,
third-party reviews and supervision orders

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 05:25:26.540853
"""

import sqlalchemy as sa
from alembic import op

import kaohe.models.base
import kaohe.models.score

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sample_draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=200), nullable=False),
    sa.Column('seed_hash', sa.String(length=64), nullable=False),
    sa.Column('inputs_hash', sa.String(length=64), nullable=False),
    sa.Column('rule', sa.JSON(), nullable=False),
    sa.Column('exclusions', sa.JSON(), nullable=False),
    sa.Column('published_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.Column('published_by', sa.String(length=200), nullable=False),
    sa.Column('record', sa.JSON(), nullable=True),
    sa.Column('record_hash', sa.String(length=64), nullable=True),
    sa.Column('drawn_units', sa.JSON(), nullable=False),
    sa.Column('drawn_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=True),
    sa.Column('drawn_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_sample_draws_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['cycle_stages.id'], name=op.f('fk_sample_draws_stage_id_cycle_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_draws')),
    sa.UniqueConstraint('stage_id', name=op.f('uq_sample_draws_stage_id'))
    )
    with op.batch_alter_table('sample_draws', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sample_draws_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('submission_closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('closed_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.Column('closed_by', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_submission_closures_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['cycle_stages.id'], name=op.f('fk_submission_closures_stage_id_cycle_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_closures')),
    sa.UniqueConstraint('stage_id', name=op.f('uq_submission_closures_stage_id'))
    )
    with op.batch_alter_table('submission_closures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_closures_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('supervision_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('issue', sa.Text(), nullable=False),
    sa.Column('issued_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.Column('issued_by', sa.String(length=200), nullable=False),
    sa.Column('due_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('evidence_file_name', sa.String(length=500), nullable=True),
    sa.Column('evidence_sha256', sa.String(length=64), nullable=True),
    sa.Column('evidence_size', sa.BigInteger(), nullable=True),
    sa.Column('evidence_path', sa.Text(), nullable=True),
    sa.Column('closed_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=200), nullable=True),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_supervision_orders_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['cycle_stages.id'], name=op.f('fk_supervision_orders_stage_id_cycle_stages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_supervision_orders_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_orders')),
    sa.UniqueConstraint('cycle_id', 'number', name=op.f('uq_supervision_orders_cycle_id_number')),
    sa.UniqueConstraint('stage_id', name=op.f('uq_supervision_orders_stage_id'))
    )
    with op.batch_alter_table('supervision_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_orders_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_orders_unit_id'), ['unit_id'], unique=False)

    op.create_table('third_party_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('sample_stage_id', sa.Integer(), nullable=True),
    sa.Column('review_id', sa.String(length=200), nullable=False),
    sa.Column('units', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('sent_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.Column('sent_by', sa.String(length=200), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('missing', sa.JSON(), nullable=False),
    sa.Column('received_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=True),
    sa.Column('polls', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_third_party_reviews_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sample_stage_id'], ['cycle_stages.id'], name=op.f('fk_third_party_reviews_sample_stage_id_cycle_stages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stage_id'], ['cycle_stages.id'], name=op.f('fk_third_party_reviews_stage_id_cycle_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_third_party_reviews')),
    sa.UniqueConstraint('review_id', name=op.f('uq_third_party_reviews_review_id')),
    sa.UniqueConstraint('stage_id', name=op.f('uq_third_party_reviews_stage_id'))
    )
    with op.batch_alter_table('third_party_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_third_party_reviews_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('verification_signoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('signed_by', sa.String(length=200), nullable=False),
    sa.Column('signed_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.Column('self_total', kaohe.models.score.DecimalText(), nullable=True),
    sa.Column('verified_total', kaohe.models.score.DecimalText(), nullable=False),
    sa.Column('differences', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_verification_signoffs_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_verification_signoffs_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_signoffs')),
    sa.UniqueConstraint('unit_id', name=op.f('uq_verification_signoffs_unit_id'))
    )
    with op.batch_alter_table('verification_signoffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_signoffs_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('obligation_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('stored_path', sa.Text(), nullable=False),
    sa.Column('submitted_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.Column('late_by_seconds', sa.Integer(), nullable=False),
    sa.Column('submitted_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_submissions_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligations.id'], name=op.f('fk_submissions_obligation_id_obligations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['cycle_stages.id'], name=op.f('fk_submissions_stage_id_cycle_stages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_submissions_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions')),
    sa.UniqueConstraint('obligation_id', 'kind', 'version', name=op.f('uq_submissions_obligation_id_kind_version'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_obligation_id'), ['obligation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_stage_id'), ['stage_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_unit_id'), ['unit_id'], unique=False)

    op.create_table('item_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=100), nullable=False),
    sa.Column('item_name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('max_points', kaohe.models.score.DecimalText(), nullable=True),
    sa.Column('self_score', kaohe.models.score.DecimalText(), nullable=True),
    sa.Column('self_note', sa.Text(), nullable=True),
    sa.Column('self_submission_id', sa.Integer(), nullable=True),
    sa.Column('verified_score', kaohe.models.score.DecimalText(), nullable=True),
    sa.Column('verified_note', sa.Text(), nullable=True),
    sa.Column('verified_by', sa.String(length=200), nullable=True),
    sa.Column('verified_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_item_scores_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['self_submission_id'], ['submissions.id'], name=op.f('fk_item_scores_self_submission_id_submissions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_item_scores_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_scores')),
    sa.UniqueConstraint('unit_id', 'item_id', name=op.f('uq_item_scores_unit_id_item_id'))
    )
    with op.batch_alter_table('item_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_scores_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_scores_unit_id'), ['unit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('item_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_scores_unit_id'))
        batch_op.drop_index(batch_op.f('ix_item_scores_cycle_id'))

    op.drop_table('item_scores')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submissions_unit_id'))
        batch_op.drop_index(batch_op.f('ix_submissions_stage_id'))
        batch_op.drop_index(batch_op.f('ix_submissions_obligation_id'))
        batch_op.drop_index(batch_op.f('ix_submissions_cycle_id'))

    op.drop_table('submissions')
    with op.batch_alter_table('verification_signoffs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verification_signoffs_cycle_id'))

    op.drop_table('verification_signoffs')
    with op.batch_alter_table('third_party_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_third_party_reviews_cycle_id'))

    op.drop_table('third_party_reviews')
    with op.batch_alter_table('supervision_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_orders_unit_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_orders_cycle_id'))

    op.drop_table('supervision_orders')
    with op.batch_alter_table('submission_closures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_closures_cycle_id'))

    op.drop_table('submission_closures')
    with op.batch_alter_table('sample_draws', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sample_draws_cycle_id'))

    op.drop_table('sample_draws')
