"""a diary's data version, the key of its cached pages

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 08:30:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('patient') as batch_op:
        batch_op.add_column(sa.Column('data_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('patient') as batch_op:
        batch_op.drop_column('data_version')
