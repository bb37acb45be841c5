"""monthly tallies of a diary's symptoms, events and days, read by the trends page for whole months;
an index for "was this symptom logged before the appointment"

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 12:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # Empty at first: a month's tally is made from its entries the first time the trends page reads it.
    op.create_table(
        'month_tally',
        sa.Column('patient_id', sa.Integer(), sa.ForeignKey('patient.id', ondelete='CASCADE'), nullable=False),
        sa.Column('zone', sa.String(length=64), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('tally', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('patient_id', 'zone', 'month'),
    )
    op.create_index('ix_entry_patient_symptom_occurred', 'entry',
                    ['patient_id', 'kind', 'symptom_key', 'custom_symptom_id', 'occurred_at'])


def downgrade():
    op.drop_index('ix_entry_patient_symptom_occurred', table_name='entry')
    op.drop_table('month_tally')
