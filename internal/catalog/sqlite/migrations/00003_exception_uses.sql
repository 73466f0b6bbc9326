-- What vetted has recorded of each policy exception's use, keyed by the exception's
-- content (hashed). Times are UTC Unix nanoseconds.

-- +goose Up
CREATE TABLE exception_uses (
    key         TEXT    NOT NULL PRIMARY KEY CHECK (key <> ''),
    first_seen  INTEGER NOT NULL, -- when a server first ran with the exception
    last_lifted INTEGER           -- when it last changed a decision; NULL: never
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE exception_uses;
