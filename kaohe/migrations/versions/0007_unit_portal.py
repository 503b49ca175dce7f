"""Unit portal: supervision orders signed for (签收) and replied to; the per-unit calendar subscription token's generation

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 03:30:00
"""

import sqlalchemy as sa
from alembic import op

import kaohe.models.base

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('supervision_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledged_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('replies', sa.JSON(), nullable=False, server_default='[]'))
    op.create_table('calendar_feeds',
    sa.Column('unit_code', sa.String(length=100), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('rotated_at', kaohe.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.Column('rotated_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('unit_code', name=op.f('pk_calendar_feeds'))
    )


def downgrade() -> None:
    op.drop_table('calendar_feeds')
    with op.batch_alter_table('supervision_orders', schema=None) as batch_op:
        batch_op.drop_column('replies')
        batch_op.drop_column('acknowledged_by')
        batch_op.drop_column('acknowledged_at')
