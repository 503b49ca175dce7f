"""Index on units.code: a unit's task list finds its rows in every cycle by its code

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 03:20:00
"""

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f('ix_units_code'), 'units', ['code'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_units_code'), table_name='units')
