"""what a share link shows besides the summary: who entered what, the carer's coping, the questions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 15:05:00

Links made before this show the family's questions and keep the names and the coping score back,
as new links do by default.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('share_link') as batch_op:
        batch_op.add_column(sa.Column('shows_names', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('shows_coping', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('shows_questions', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('share_link') as batch_op:
        batch_op.drop_column('shows_questions')
        batch_op.drop_column('shows_coping')
        batch_op.drop_column('shows_names')
