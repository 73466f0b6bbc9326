-- Vulnerability records, their triage, and the verdicts reached on cached releases.
-- Times are UTC Unix nanoseconds (NULL when unknown or, for withdrawn and expires, none).

-- +goose Up
CREATE TABLE advisories (
    id        TEXT    NOT NULL PRIMARY KEY CHECK (id <> ''),
    modified  INTEGER,
    withdrawn INTEGER,          -- NULL when the record is not withdrawn
    source    TEXT    NOT NULL, -- the feed it came from (a URL or a path)
    digest    TEXT    NOT NULL, -- hex SHA-256 of body
    body      BLOB    NOT NULL  -- encoded by the vuln package
) STRICT;

-- The packages an advisory concerns. Replacing an advisory deletes its rows and
-- inserts the new ones; deleting it deletes them too.
CREATE TABLE advisory_packages (
    advisory_id TEXT NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
    ecosystem   TEXT NOT NULL CHECK (ecosystem <> ''), -- as OSV spells it
    name        TEXT NOT NULL CHECK (name <> ''),      -- normalised for the ecosystem
    PRIMARY KEY (advisory_id, ecosystem, name)
) STRICT, WITHOUT ROWID;

-- The advisories that concern a package.
CREATE INDEX advisory_packages_by_package ON advisory_packages (ecosystem, name);

CREATE TABLE feed_imports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused, so newest is largest
    source      TEXT    NOT NULL,
    started_at  INTEGER,
    finished_at INTEGER,
    added       INTEGER NOT NULL CHECK (added >= 0),
    changed     INTEGER NOT NULL CHECK (changed >= 0),
    unchanged   INTEGER NOT NULL CHECK (unchanged >= 0),
    withdrawn   INTEGER NOT NULL CHECK (withdrawn >= 0),
    skipped     INTEGER NOT NULL CHECK (skipped >= 0),
    problems    TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(problems)) -- JSON array of strings
) STRICT;

-- A person's assessment of an advisory for a project's versions (VEX). Not a foreign
-- key to advisories: a triage outlives a feed that drops or renames the record.
CREATE TABLE triage (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    advisory_id   TEXT    NOT NULL CHECK (advisory_id <> ''),
    ecosystem     TEXT    NOT NULL CHECK (ecosystem <> ''),
    project       TEXT    NOT NULL CHECK (project <> ''), -- normalised
    versions      TEXT    NOT NULL, -- '' means every version
    status        TEXT    NOT NULL CHECK (status IN ('affected', 'not_affected', 'fixed', 'under_investigation')),
    justification TEXT    NOT NULL CHECK (justification = '' OR status = 'not_affected'),
    owner         TEXT    NOT NULL,
    note          TEXT    NOT NULL,
    expires       INTEGER,          -- NULL: never
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

CREATE INDEX triage_by_project ON triage (ecosystem, project);
CREATE INDEX triage_by_advisory ON triage (advisory_id);

-- The last verdict reached on each release. The checks of verdicts below spell out
-- OR, not IN (...): SQLite builds a temporary b-tree for an IN list of more than two
-- values each time a statement runs, which doubles the cost of writing 100,000 rows.
CREATE TABLE decisions (
    repo       TEXT    NOT NULL,
    project    TEXT    NOT NULL, -- normalised
    version    TEXT    NOT NULL,
    verdict    TEXT    NOT NULL CHECK (verdict = 'allow' OR verdict = 'warn' OR verdict = 'block'),
    summary    TEXT    NOT NULL,
    revision   TEXT    NOT NULL,
    decided_at INTEGER,
    PRIMARY KEY (repo, project, version)
) STRICT, WITHOUT ROWID;

-- Changes of verdict, appended in order.
CREATE TABLE decision_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    time         INTEGER,
    repo         TEXT    NOT NULL,
    project      TEXT    NOT NULL,
    version      TEXT    NOT NULL,
    from_verdict TEXT    NOT NULL CHECK (from_verdict = '' OR from_verdict = 'allow' OR from_verdict = 'warn' OR from_verdict = 'block'), -- '' when first decided
    to_verdict   TEXT    NOT NULL CHECK (to_verdict = 'allow' OR to_verdict = 'warn' OR to_verdict = 'block'),
    cause        TEXT    NOT NULL,
    detail       TEXT    NOT NULL
) STRICT;

CREATE INDEX decision_events_by_time ON decision_events (time);

-- +goose Down
DROP INDEX decision_events_by_time;
DROP TABLE decision_events;
DROP TABLE decisions;
DROP INDEX triage_by_advisory;
DROP INDEX triage_by_project;
DROP TABLE triage;
DROP TABLE feed_imports;
DROP INDEX advisory_packages_by_package;
DROP TABLE advisory_packages;
DROP TABLE advisories;
