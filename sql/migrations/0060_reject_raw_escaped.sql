-- 0060_reject_raw_escaped.sql — a rejected record whose bytes are not text (a NUL byte,
-- bytes invalid in the file's encoding) is kept escaped instead of being lost: the
-- COPY into etl.reject would fail on them. raw_escaped says which rows are escaped.

ALTER TABLE etl.reject ADD COLUMN raw_escaped boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN etl.reject.raw_escaped IS
    'true: raw is escaped because the record held bytes that are not text — each such byte as \xHH (two lowercase hex digits), a NUL as \x00, a backslash as \\; every other character as read';
COMMENT ON COLUMN etl.reject.raw IS
    'The raw record as received (JSON object or CSV line, converted to UTF-8), with mobile numbers masked (138****1234); escaped when raw_escaped';
