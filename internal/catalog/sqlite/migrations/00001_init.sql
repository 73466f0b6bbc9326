-- Initial catalog schema. Times are UTC Unix nanoseconds (NULL when unknown).

-- +goose Up
CREATE TABLE pages (
    repo          TEXT    NOT NULL,
    key           TEXT    NOT NULL, -- '' for the project list, else the normalised project name
    body          BLOB    NOT NULL, -- encoded by the ecosystem package
    etag          TEXT    NOT NULL DEFAULT '',
    last_modified TEXT    NOT NULL DEFAULT '',
    fetched_at    INTEGER,
    PRIMARY KEY (repo, key)
) STRICT;

CREATE TABLE files (
    repo            TEXT    NOT NULL,
    filename        TEXT    NOT NULL,
    project         TEXT    NOT NULL, -- normalised project name
    version         TEXT    NOT NULL,
    sha256          TEXT    NOT NULL,
    size            INTEGER NOT NULL,
    upstream_url    TEXT    NOT NULL,
    fetched_at      INTEGER,
    metadata_sha256 TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (repo, filename)
) STRICT;

-- ListFiles: the files of a project, in filename order, from the index alone.
CREATE INDEX files_by_project ON files (repo, project, filename);

-- +goose Down
DROP INDEX files_by_project;
DROP TABLE files;
DROP TABLE pages;
