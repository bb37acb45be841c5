"""monthly tallies also count notes, who entered the entries and where weakness was: the kept
ones, which do not, are dropped (the next reader makes them again from the entries)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 02:30:00
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.execute('DELETE FROM month_tally')


def downgrade():
    op.execute('DELETE FROM month_tally')
