"""alerts with the entries that raised them, push subscriptions, delivery settings, reminders

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 12:19:20.603007

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('rule', sa.String(length=30), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=True),
    sa.Column('seen_by_id', sa.Integer(), nullable=True),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('snoozed_until', sa.DateTime(), nullable=True),
    sa.Column('escalations', sa.Integer(), nullable=False),
    sa.Column('next_escalation_at', sa.DateTime(), nullable=True),
    sa.Column('open_for', sa.String(length=60), nullable=True),
    sa.ForeignKeyConstraint(['done_by_id'], ['user.id'], name=op.f('fk_alert_done_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_alert_patient_id_patient'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seen_by_id'], ['user.id'], name=op.f('fk_alert_seen_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert')),
    sa.UniqueConstraint('key', name=op.f('uq_alert_key')),
    sa.UniqueConstraint('open_for', name=op.f('uq_alert_open_for'))
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index('ix_alert_patient_raised', ['patient_id', 'raised_at'], unique=False)

    op.create_table('push_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('endpoint', sa.String(length=1000), nullable=False),
    sa.Column('p256dh', sa.String(length=200), nullable=False),
    sa.Column('auth', sa.String(length=100), nullable=False),
    sa.Column('browser', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_push_subscription_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscription')),
    sa.UniqueConstraint('endpoint', name=op.f('uq_push_subscription_endpoint'))
    )
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_subscription_user_id'), ['user_id'], unique=False)

    op.create_table('alert_entry',
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_alert_entry_alert_id_alert'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_alert_entry_entry_id_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('alert_id', 'entry_id', name=op.f('pk_alert_entry'))
    )
    with op.batch_alter_table('alert_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_entry_entry_id'), ['entry_id'], unique=False)

    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mask_problem', sa.Boolean(), nullable=True))

    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('push_levels', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('email_levels', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('reminders', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('weekly_digest', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalate_after_minutes', sa.Integer(), nullable=False, server_default='30'))
        batch_op.add_column(sa.Column('reminder_days', sa.JSON(), nullable=True))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quiet_from', sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column('quiet_until', sa.String(length=5), nullable=True))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('quiet_until')
        batch_op.drop_column('quiet_from')

    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_column('reminder_days')
        batch_op.drop_column('escalate_after_minutes')

    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_column('weekly_digest')
        batch_op.drop_column('reminders')
        batch_op.drop_column('email_levels')
        batch_op.drop_column('push_levels')

    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.drop_column('mask_problem')

    with op.batch_alter_table('alert_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_entry_entry_id'))

    op.drop_table('alert_entry')
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_subscription_user_id'))

    op.drop_table('push_subscription')
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_patient_raised')

    op.drop_table('alert')
