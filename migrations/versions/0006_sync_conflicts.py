"""entry UUIDs unique per diary; offline copies sent again with other details kept as conflicts

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sync_digest', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('conflict_of_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_entry_conflict_of_id_entry'), 'entry', ['conflict_of_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.drop_constraint(batch_op.f('uq_entry_uuid'), type_='unique')
        batch_op.create_unique_constraint('uq_entry_patient_uuid', ['patient_id', 'uuid'])


def downgrade():
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.drop_constraint('uq_entry_patient_uuid', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_entry_uuid'), ['uuid'])
        batch_op.drop_constraint(batch_op.f('fk_entry_conflict_of_id_entry'), type_='foreignkey')
        batch_op.drop_column('conflict_of_id')
        batch_op.drop_column('sync_digest')
