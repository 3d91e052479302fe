-- The hive schema as it stood at the Electric migration ("E", docs/hive-schema.md §1): the tables
-- Hivewatch reads, with their keys, defaults, updated_at triggers and indexes.
--
-- Safe to run more than once (IF NOT EXISTS / guarded DO blocks), so a test or the demo can load
-- it without first checking what is there. It deliberately leaves out the Electric plumbing
-- (role, grants, publication, replica identity): that is electric_setup.sql, or the pg-setup
-- feature of Hivewatch itself. Tables of the same migrations that Hivewatch never reads (auth,
-- oauth, invitations, activity, node_api_keys) are left out too.
--
-- Load with:  psql -v ON_ERROR_STOP=1 -f hive_schema.sql   (or PgConnection::execScript)

-- gen_random_uuid() is built into PG13+; the hive's migrations still create pgcrypto for it.
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = NOW();
    RETURN NEW;
END;
$$;

DO $$
BEGIN
    CREATE TYPE member_role AS ENUM ('admin', 'member');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

-- Kebab-case on purpose: the hive never adopted upstream's unified enum (docs/hive-schema.md §2.2).
DO $$
BEGIN
    CREATE TYPE task_status AS ENUM ('todo', 'in-progress', 'in-review', 'done', 'cancelled');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

DO $$
BEGIN
    CREATE TYPE node_status AS ENUM ('pending', 'online', 'offline', 'busy', 'draining');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

-- §1.1 organisations and membership -------------------------------------------------------------

CREATE TABLE IF NOT EXISTS organizations (
    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    is_personal BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS users (
    id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    email      TEXT NOT NULL UNIQUE,
    first_name TEXT,
    last_name  TEXT,
    username   TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS organization_member_metadata (
    organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            member_role NOT NULL DEFAULT 'member',
    joined_at       TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    last_seen_at    TIMESTAMPTZ,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX IF NOT EXISTS idx_member_metadata_user ON organization_member_metadata (user_id);
CREATE INDEX IF NOT EXISTS idx_member_metadata_org_role ON organization_member_metadata (organization_id, role);

-- §1.2 projects (dropped after E) ---------------------------------------------------------------

CREATE TABLE IF NOT EXISTS projects (
    id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    metadata        JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS idx_projects_org_name ON projects (organization_id, name);

-- §1.3 shared_tasks ------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS shared_tasks (
    id                 UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id    UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    project_id         UUID NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    creator_user_id    UUID REFERENCES users (id) ON DELETE SET NULL,
    assignee_user_id   UUID REFERENCES users (id) ON DELETE SET NULL,
    deleted_by_user_id UUID REFERENCES users (id) ON DELETE SET NULL,
    title              TEXT NOT NULL,
    description        TEXT,
    status             task_status NOT NULL DEFAULT 'todo'::task_status,
    version            BIGINT NOT NULL DEFAULT 1,
    deleted_at         TIMESTAMPTZ,
    shared_at          TIMESTAMPTZ DEFAULT NOW(),
    created_at         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS idx_tasks_org_status ON shared_tasks (organization_id, status);
CREATE INDEX IF NOT EXISTS idx_tasks_org_assignee ON shared_tasks (organization_id, assignee_user_id);
CREATE INDEX IF NOT EXISTS idx_tasks_project ON shared_tasks (project_id);
CREATE INDEX IF NOT EXISTS idx_shared_tasks_org_deleted_at ON shared_tasks (organization_id, deleted_at)
    WHERE deleted_at IS NOT NULL;

-- §1.4 nodes -------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS nodes (
    id                UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id   UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    machine_id        TEXT NOT NULL,
    status            node_status NOT NULL DEFAULT 'pending',
    capabilities      JSONB NOT NULL DEFAULT '{}'::jsonb,
    public_url        TEXT,
    last_heartbeat_at TIMESTAMPTZ,
    connected_at      TIMESTAMPTZ,
    disconnected_at   TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    UNIQUE (organization_id, machine_id)
);
CREATE INDEX IF NOT EXISTS idx_nodes_org_status ON nodes (organization_id, status);
CREATE INDEX IF NOT EXISTS idx_nodes_heartbeat ON nodes (last_heartbeat_at)
    WHERE status IN ('online', 'busy');

-- §1.5 node_projects (dropped after E) -----------------------------------------------------------

CREATE TABLE IF NOT EXISTS node_projects (
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    node_id          UUID NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    project_id       UUID NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    local_project_id UUID NOT NULL,
    git_repo_path    TEXT NOT NULL,
    default_branch   TEXT NOT NULL DEFAULT 'main',
    sync_status      TEXT NOT NULL DEFAULT 'pending',
    last_synced_at   TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    UNIQUE (node_id, local_project_id),
    UNIQUE (project_id)
);
CREATE INDEX IF NOT EXISTS idx_node_projects_node ON node_projects (node_id);
CREATE INDEX IF NOT EXISTS idx_node_projects_project ON node_projects (project_id);

-- §1.6 node_task_assignments ---------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS node_task_assignments (
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    task_id          UUID NOT NULL REFERENCES shared_tasks (id) ON DELETE CASCADE,
    node_id          UUID NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    node_project_id  UUID NOT NULL REFERENCES node_projects (id) ON DELETE CASCADE,
    local_task_id    UUID,
    local_attempt_id UUID,
    execution_status TEXT NOT NULL DEFAULT 'pending',
    assigned_at      TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    started_at       TIMESTAMPTZ,
    completed_at     TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
-- At most one active (uncompleted) assignment per task.
CREATE UNIQUE INDEX IF NOT EXISTS idx_task_assignments_active ON node_task_assignments (task_id)
    WHERE completed_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_task_assignments_node ON node_task_assignments (node_id);

-- §1.7 node_task_output_logs ---------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS node_task_output_logs (
    id            BIGSERIAL PRIMARY KEY,
    assignment_id UUID NOT NULL REFERENCES node_task_assignments (id) ON DELETE CASCADE,
    output_type   TEXT NOT NULL,
    content       TEXT NOT NULL,
    "timestamp"   TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS idx_task_output_logs_assignment ON node_task_output_logs (assignment_id);
CREATE INDEX IF NOT EXISTS idx_task_output_logs_assignment_time ON node_task_output_logs (assignment_id, created_at);

-- §1.8 node_task_progress_events -----------------------------------------------------------------

CREATE TABLE IF NOT EXISTS node_task_progress_events (
    id            BIGSERIAL PRIMARY KEY,
    assignment_id UUID NOT NULL REFERENCES node_task_assignments (id) ON DELETE CASCADE,
    event_type    TEXT NOT NULL,
    message       TEXT,
    metadata      JSONB,
    "timestamp"   TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS idx_task_progress_events_assignment ON node_task_progress_events (assignment_id);
CREATE INDEX IF NOT EXISTS idx_task_progress_events_assignment_time ON node_task_progress_events (assignment_id, created_at);

-- updated_at triggers (the hive names the nodes one trg_nodes_updated_at) -------------------------

CREATE OR REPLACE TRIGGER trg_organizations_updated_at BEFORE UPDATE ON organizations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER trg_users_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER trg_shared_tasks_updated_at BEFORE UPDATE ON shared_tasks
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER trg_nodes_updated_at BEFORE UPDATE ON nodes
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
