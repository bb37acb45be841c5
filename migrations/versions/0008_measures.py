"""measures: entries of kind "measure" with their details, and recordings kept for the speech therapist

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 08:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('entry') as batch_op:
        batch_op.add_column(sa.Column('measure', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=True))
    op.create_table(
        'recording',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('mime_type', sa.String(length=40), nullable=False),
        sa.Column('audio', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('entry_id'),
    )


def downgrade():
    op.drop_table('recording')
    with op.batch_alter_table('entry') as batch_op:
        batch_op.drop_column('details')
        batch_op.drop_column('measure')
