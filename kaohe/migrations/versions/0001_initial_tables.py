"""Initial tables: cycles, stages, units, obligations, outbox and the append-only audit log

Revision ID: 0001
Revises:
Create Date: 2026-11-23 05:14:32.294597
"""

import sqlalchemy as sa
from alembic import op

import kaohe.models.base

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cycles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('scheme_id', sa.String(length=100), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('scheme_snapshot', sa.JSON(), nullable=False),
    sa.Column('holiday_policy', sa.String(length=20), nullable=True),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('office_hours', sa.String(length=5), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.Column('advanced_to', kaohe.models.base.AwareDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycles')),
    sa.UniqueConstraint('key', name=op.f('uq_cycles_key'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=100), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_audit_log_cycle_id_cycles'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('cycle_stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('actor', sa.String(length=50), nullable=True),
    sa.Column('clause', sa.String(length=200), nullable=False),
    sa.Column('opens_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=True),
    sa.Column('due_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.Column('source_due', sa.Date(), nullable=True),
    sa.Column('adjusted', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('date_origin', sa.String(length=20), nullable=False),
    sa.Column('holiday_policy', sa.String(length=20), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('opened_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_cycle_stages_cycle_id_cycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle_stages')),
    sa.UniqueConstraint('cycle_id', 'key', name=op.f('uq_cycle_stages_cycle_id_key'))
    )
    with op.batch_alter_table('cycle_stages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cycle_stages_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=50), nullable=False),
    sa.Column('township', sa.String(length=100), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('county', sa.String(length=100), nullable=True),
    sa.Column('poor_township', sa.Boolean(), nullable=True),
    sa.Column('sequence', sa.String(length=50), nullable=True),
    sa.Column('supervisor_code', sa.String(length=100), nullable=True),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('contacts', sa.JSON(), nullable=False),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_units_cycle_id_cycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('cycle_id', 'code', name=op.f('uq_units_cycle_id_code'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('obligations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('due_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('completed_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=True),
    sa.Column('overdue_since', kaohe.models.base.AwareDateTime(timezone=True), nullable=True),
    sa.Column('created_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_obligations_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['cycle_stages.id'], name=op.f('fk_obligations_stage_id_cycle_stages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_obligations_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_obligations')),
    sa.UniqueConstraint('stage_id', 'unit_id', name=op.f('uq_obligations_stage_id_unit_id'))
    )
    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_obligations_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_obligations_stage_id'), ['stage_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_obligations_unit_id'), ['unit_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('stage_key', sa.String(length=100), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('about_unit_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('wave', sa.String(length=100), nullable=False),
    sa.Column('channel', sa.String(length=50), nullable=False),
    sa.Column('recipient', sa.String(length=500), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('send_after', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sa.String(length=100), nullable=True),
    sa.Column('claimed_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=True),
    sa.Column('remote_id', sa.String(length=200), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_outbox_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_outbox_unit_id_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['about_unit_id'], ['units.id'], name=op.f('fk_outbox_about_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index('ix_outbox_status_send_after', ['status', 'send_after'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_about_unit_id'), ['about_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_unit_id'), ['unit_id'], unique=False)


    _forbid_audit_changes()


def downgrade() -> None:
    _allow_audit_changes()
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_unit_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_about_unit_id'))
        batch_op.drop_index('ix_outbox_status_send_after')
        batch_op.drop_index(batch_op.f('ix_outbox_cycle_id'))

    op.drop_table('outbox')
    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_obligations_unit_id'))
        batch_op.drop_index(batch_op.f('ix_obligations_stage_id'))
        batch_op.drop_index(batch_op.f('ix_obligations_cycle_id'))

    op.drop_table('obligations')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_cycle_id'))

    op.drop_table('units')
    with op.batch_alter_table('cycle_stages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cycle_stages_cycle_id'))

    op.drop_table('cycle_stages')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
    op.drop_table('cycles')


_SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
]
_PG_TRIGGERS = [
    """CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$""",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
]


def _forbid_audit_changes() -> None:
    """The database itself refuses UPDATE and DELETE on the audit log."""
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": _SQLITE_TRIGGERS, "postgresql": _PG_TRIGGERS}.get(dialect, []):
        op.execute(statement)


def _allow_audit_changes() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
