"""Schedule sync: a cycle remembers that its dates moved since its scheduled runs were last synced, and the
fingerprint of the working-day calendar its dates were last resolved with

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 04:00:00
"""

import sqlalchemy as sa
from alembic import op

import kaohe.models.base

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('schedule_stale_since', kaohe.models.base.AwareDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('calendar_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.drop_column('calendar_hash')
        batch_op.drop_column('schedule_stale_since')
