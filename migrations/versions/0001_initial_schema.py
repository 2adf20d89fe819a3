"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 07:46:53.374247

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # --- People and places (org, auth) ---
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations'))
    )
    op.create_table('locations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('setting', sa.String(length=20), nullable=False),
    sa.Column('webhook_url', sa.String(length=500), nullable=True),
    sa.Column('webhook_secret', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("setting IN ('hotel', 'restaurant', 'retail', 'contact-centre', 'other')", name=op.f('ck_locations_setting')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_locations_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_locations')),
    sa.UniqueConstraint('organisation_id', 'name', name=op.f('uq_locations_organisation_id_name'))
    )
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_locations_organisation_id'), ['organisation_id'], unique=False)
    op.create_table('shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('starts_at', sa.Time(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('weekday_mask', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('duration_minutes > 0 AND duration_minutes <= 1440', name=op.f('ck_shifts_duration')),
    sa.CheckConstraint('weekday_mask >= 0 AND weekday_mask <= 127', name=op.f('ck_shifts_weekday_mask')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_shifts_location_id_locations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shifts')),
    sa.UniqueConstraint('location_id', 'name', name=op.f('uq_shifts_location_id_name'))
    )
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shifts_location_id'), ['location_id'], unique=False)
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=True),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('api_tokens_allowed', sa.Boolean(), nullable=False),
    sa.CheckConstraint("role = 'admin' OR location_id IS NOT NULL", name=op.f('ck_users_location_required')),
    sa.CheckConstraint("role IN ('admin', 'lead', 'staff')", name=op.f('ck_users_role')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_users_location_id_locations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_users_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_organisation_id'), ['organisation_id'], unique=False)
    op.create_table('roster_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'], name=op.f('fk_roster_entries_shift_id_shifts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_roster_entries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_entries')),
    sa.UniqueConstraint('shift_id', 'user_id', name=op.f('uq_roster_entries_shift_id_user_id'))
    )
    with op.batch_alter_table('roster_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_entries_user_id'), ['user_id'], unique=False)
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    # --- The topic library (topics) ---
    op.create_table('topics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('season_start', sa.String(length=5), nullable=True),
    sa.Column('season_end', sa.String(length=5), nullable=True),
    sa.Column('settings_key', sa.String(length=120), nullable=False),
    sa.Column('rank', sa.BigInteger(), nullable=False),
    sa.Column('current_revision_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'published', 'retired')", name=op.f('ck_topics_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topics')),
    sa.UniqueConstraint('slug', name=op.f('uq_topics_slug'))
    )
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.create_index('ix_topics_kind_status_rank', ['kind', 'status', 'rank'], unique=False)
    op.create_table('topic_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('minutes', sa.Float(), nullable=False),
    sa.Column('prompt', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.Column('season_start', sa.String(length=5), nullable=True),
    sa.Column('season_end', sa.String(length=5), nullable=True),
    sa.Column('avoid', sa.Text(), nullable=True),
    sa.Column('say_instead', sa.Text(), nullable=True),
    sa.Column('translations', sa.JSON(), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_topic_revisions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_topic_revisions_topic_id_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topic_revisions')),
    sa.UniqueConstraint('topic_id', 'number', name=op.f('uq_topic_revisions_topic_id_number'))
    )
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_topics_current_revision_id_topic_revisions'), 'topic_revisions', ['current_revision_id'], ['id'], ondelete='SET NULL')

    # --- Agendas, rotation and the scheduler (agenda) ---
    op.create_table('agenda_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('slots', sa.JSON(), nullable=False),
    sa.Column('weekday_themes', sa.JSON(), nullable=False),
    sa.Column('cooldown_days', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("scope IN ('shift', 'location', 'organisation')", name=op.f('ck_agenda_templates_scope')),
    sa.CheckConstraint('cooldown_days >= 0', name=op.f('ck_agenda_templates_cooldown')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_agenda_templates_location_id_locations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_agenda_templates_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_templates')),
    sa.UniqueConstraint('location_id', name=op.f('uq_agenda_templates_location_id'))
    )
    op.create_table('agendas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('scope_key', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_reason', sa.String(length=200), nullable=False),
    sa.Column('topic_feedback', sa.String(length=8), nullable=True),
    sa.Column('feedback_by_id', sa.Integer(), nullable=True),
    sa.Column('feedback_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('planned', 'running', 'done', 'ended', 'missed')", name=op.f('ck_agendas_status')),
    sa.CheckConstraint("topic_feedback IS NULL OR topic_feedback IN ('up', 'down')", name=op.f('ck_agendas_topic_feedback')),
    sa.ForeignKeyConstraint(['feedback_by_id'], ['users.id'], name=op.f('fk_agendas_feedback_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['finished_by_id'], ['users.id'], name=op.f('fk_agendas_finished_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'], name=op.f('fk_agendas_shift_id_shifts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_agendas_started_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agendas')),
    sa.UniqueConstraint('shift_id', 'day', name=op.f('uq_agendas_shift_id_day'))
    )
    with op.batch_alter_table('agendas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agendas_day'), ['day'], unique=False)
    op.create_table('agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agenda_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('slot_key', sa.String(length=40), nullable=False),
    sa.Column('slot_title', sa.String(length=120), nullable=False),
    sa.Column('fill', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=True),
    sa.Column('minutes', sa.Float(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('topic_revision_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('swapped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('swapped_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agenda_id'], ['agendas.id'], name=op.f('fk_agenda_items_agenda_id_agendas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['swapped_by_id'], ['users.id'], name=op.f('fk_agenda_items_swapped_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_agenda_items_topic_id_topics'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['topic_revision_id'], ['topic_revisions.id'], name=op.f('fk_agenda_items_topic_revision_id_topic_revisions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_items')),
    sa.UniqueConstraint('agenda_id', 'position', name=op.f('uq_agenda_items_agenda_id_position'))
    )
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_items_topic_id'), ['topic_id'], unique=False)
    op.create_table('pins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope_key', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('slot_key', sa.String(length=40), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pins_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_pins_topic_id_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pins')),
    sa.UniqueConstraint('scope_key', 'day', 'slot_key', name=op.f('uq_pins_scope_key_day_slot_key'))
    )
    op.create_table('scope_choices',
    sa.Column('scope_key', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('slot_key', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=True),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_scope_choices_topic_id_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('scope_key', 'day', 'slot_key', name=op.f('pk_scope_choices'))
    )
    with op.batch_alter_table('scope_choices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scope_choices_topic_id'), ['topic_id'], unique=False)
    op.create_table('topic_usage',
    sa.Column('scope_key', sa.String(length=40), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('last_used_on', sa.Date(), nullable=False),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_topic_usage_topic_id_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('scope_key', 'topic_id', name=op.f('pk_topic_usage'))
    )
    with op.batch_alter_table('topic_usage', schema=None) as batch_op:
        batch_op.create_index('ix_topic_usage_scope_kind_last', ['scope_key', 'kind', 'last_used_on'], unique=False)
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=60), nullable=False),
    sa.Column('run_key', sa.String(length=60), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('result', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job', 'run_key', name=op.f('uq_job_runs_job_run_key'))
    )

    # --- Attendance and catch-up (attendance) ---
    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agenda_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('visitor', sa.Boolean(), nullable=False),
    sa.Column('self_check_in', sa.Boolean(), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('via', sa.String(length=40), nullable=False),
    sa.CheckConstraint("status IN ('present', 'late', 'excused', 'absent')", name=op.f('ck_attendance_status')),
    sa.CheckConstraint("method IN ('lead', 'self', 'visitor')", name=op.f('ck_attendance_method')),
    sa.ForeignKeyConstraint(['agenda_id'], ['agendas.id'], name=op.f('fk_attendance_agenda_id_agendas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_attendance_marked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_attendance_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('agenda_id', 'user_id', name=op.f('uq_attendance_agenda_id_user_id'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_user_id'), ['user_id'], unique=False)
    op.create_table('catch_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agenda_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agenda_id'], ['agendas.id'], name=op.f('fk_catch_ups_agenda_id_agendas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_catch_ups_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catch_ups')),
    sa.UniqueConstraint('agenda_id', 'user_id', name=op.f('uq_catch_ups_agenda_id_user_id'))
    )
    with op.batch_alter_table('catch_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catch_ups_user_id'), ['user_id'], unique=False)

    # --- Kudos (kudos) ---
    op.create_table('kudos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('from_user_id', sa.Integer(), nullable=False),
    sa.Column('to_user_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('daily_number', sa.Integer(), nullable=False),
    sa.Column('read_out_agenda_id', sa.Integer(), nullable=True),
    sa.Column('read_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('hidden_reason', sa.String(length=300), nullable=True),
    sa.CheckConstraint('daily_number >= 1', name=op.f('ck_kudos_daily_number')),
    sa.CheckConstraint('from_user_id <> to_user_id', name=op.f('ck_kudos_not_to_self')),
    sa.ForeignKeyConstraint(['from_user_id'], ['users.id'], name=op.f('fk_kudos_from_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['users.id'], name=op.f('fk_kudos_hidden_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_kudos_location_id_locations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['read_out_agenda_id'], ['agendas.id'], name=op.f('fk_kudos_read_out_agenda_id_agendas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['to_user_id'], ['users.id'], name=op.f('fk_kudos_to_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kudos')),
    sa.UniqueConstraint('from_user_id', 'given_on', 'daily_number', name=op.f('uq_kudos_from_user_id_given_on_daily_number'))
    )
    with op.batch_alter_table('kudos', schema=None) as batch_op:
        batch_op.create_index('ix_kudos_location_created', ['location_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kudos_read_out_agenda_id'), ['read_out_agenda_id'], unique=False)
        batch_op.create_index('ix_kudos_to_user_created', ['to_user_id', 'created_at'], unique=False)
        batch_op.create_index('ix_kudos_from_user_created', ['from_user_id', 'created_at'], unique=False)
        batch_op.create_index('ix_kudos_location_value_created', ['location_id', 'value', 'created_at'], unique=False)

    # --- Wow stories from the floor (stories) ---
    op.create_table('stories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('teller_id', sa.Integer(), nullable=False),
    sa.Column('about_user_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decline_reason', sa.String(length=500), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('submitted', 'published', 'declined')", name=op.f('ck_stories_status')),
    sa.CheckConstraint("status <> 'published' OR topic_id IS NOT NULL", name=op.f('ck_stories_published_topic')),
    sa.CheckConstraint("status <> 'declined' OR decline_reason <> ''", name=op.f('ck_stories_declined_reason')),
    sa.ForeignKeyConstraint(['about_user_id'], ['users.id'], name=op.f('fk_stories_about_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_stories_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_stories_location_id_locations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_stories_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['teller_id'], ['users.id'], name=op.f('fk_stories_teller_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_stories_topic_id_topics'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stories')),
    sa.UniqueConstraint('topic_id', name=op.f('uq_stories_topic_id'))
    )
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.create_index('ix_stories_organisation_status_created', ['organisation_id', 'status', 'created_at'], unique=False)
        batch_op.create_index('ix_stories_teller_created', ['teller_id', 'created_at'], unique=False)
    # --- Server-side sessions (auth) ---
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_agent', sa.String(length=300), nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_user_sessions_key_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)
    # --- Break-room screens (displays) ---
    op.create_table('displays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=6), nullable=True),
    sa.Column('code_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('paired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paired_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(location_id IS NULL AND code IS NOT NULL) OR (location_id IS NOT NULL AND code IS NULL)', name=op.f('ck_displays_paired_or_code')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_displays_location_id_locations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['paired_by_id'], ['users.id'], name=op.f('fk_displays_paired_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_displays')),
    sa.UniqueConstraint('code', name=op.f('uq_displays_code')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_displays_token_hash'))
    )
    with op.batch_alter_table('displays', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_displays_location_id'), ['location_id'], unique=False)
    op.create_table('display_states',
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('agenda_id', sa.Integer(), nullable=True),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agenda_id'], ['agendas.id'], name=op.f('fk_display_states_agenda_id_agendas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_display_states_location_id_locations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('location_id', name=op.f('pk_display_states'))
    )

    # --- Webhook deliveries (webhooks) ---
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=16), nullable=False),
    sa.Column('event_key', sa.String(length=80), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('response_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("event IN ('agenda', 'summary', 'test')", name=op.f('ck_webhook_deliveries_event')),
    sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name=op.f('ck_webhook_deliveries_status')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_webhook_deliveries_location_id_locations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
    sa.UniqueConstraint('location_id', 'event', 'event_key', name=op.f('uq_webhook_deliveries_location_id_event_event_key'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_deliveries_due', ['status', 'next_attempt_at'], unique=False)

    # ### end Alembic commands ###


def downgrade():
    op.drop_table('stories')
    op.drop_table('user_sessions')
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_topics_current_revision_id_topic_revisions'), type_='foreignkey')
    op.drop_table('webhook_deliveries')
    op.drop_table('display_states')
    op.drop_table('displays')
    op.drop_table('kudos')
    op.drop_table('catch_ups')
    op.drop_table('attendance')
    op.drop_table('job_runs')
    op.drop_table('topic_usage')
    op.drop_table('scope_choices')
    op.drop_table('pins')
    op.drop_table('agenda_items')
    op.drop_table('agendas')
    op.drop_table('agenda_templates')
    op.drop_table('topic_revisions')
    op.drop_table('topics')
    op.drop_table('api_tokens')
    op.drop_table('roster_entries')
    op.drop_table('users')
    op.drop_table('shifts')
    op.drop_table('locations')
    op.drop_table('organisations')
