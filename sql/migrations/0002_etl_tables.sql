-- 0002_etl_tables.sql — pipeline bookkeeping tables in schema etl (docs/schema.md "schema etl").

COMMENT ON TABLE etl.schema_migration IS
    'Migrations applied to this database, one row per sql/migrations file; written by siyu migrate';
COMMENT ON COLUMN etl.schema_migration.name IS
    'Migration file name, e.g. 0001_roles_schemas.sql; files apply in lexical order';
COMMENT ON COLUMN etl.schema_migration.checksum IS
    'SHA-256 of the file as applied, lowercase hex; a changed file is an error';
COMMENT ON COLUMN etl.schema_migration.applied_at IS
    'When the migration was committed';

CREATE TABLE etl.run (
    run_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    command     text NOT NULL,
    args        text,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    status      text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    exit_code   int,
    host        text,
    pid         int
);
COMMENT ON TABLE etl.run IS
    'One row per siyu invocation that touches the warehouse (run, import, replay); run_id is the lineage carried by every fact row';
COMMENT ON COLUMN etl.run.run_id IS 'Surrogate key of the run; facts carry it as run_id';
COMMENT ON COLUMN etl.run.command IS 'siyu subcommand: run, import or replay';
COMMENT ON COLUMN etl.run.args IS 'Command-line arguments as given (no secrets), for the record';
COMMENT ON COLUMN etl.run.started_at IS 'When the run started';
COMMENT ON COLUMN etl.run.finished_at IS 'When the run finished; NULL while running or after a crash';
COMMENT ON COLUMN etl.run.status IS 'running, succeeded or failed (a run left running by a crash stays running)';
COMMENT ON COLUMN etl.run.exit_code IS 'Process exit code: 0 ok, 1 a source failed, 2 usage/config error, 75 lock held';
COMMENT ON COLUMN etl.run.host IS 'Host name of the machine that ran siyu';
COMMENT ON COLUMN etl.run.pid IS 'Operating-system process id of the siyu process';

CREATE TABLE etl.run_source (
    run_id       bigint NOT NULL REFERENCES etl.run (run_id),
    source       text NOT NULL,
    status       text CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
    started_at   timestamptz,
    finished_at  timestamptz,
    pages        int DEFAULT 0,
    records_read bigint DEFAULT 0,
    inserted     bigint DEFAULT 0,
    updated      bigint DEFAULT 0,
    unchanged    bigint DEFAULT 0,
    rejected     bigint DEFAULT 0,
    error        text,
    PRIMARY KEY (run_id, source)
);
COMMENT ON TABLE etl.run_source IS
    'Per-source outcome and counts of one run; a failed source rolled its data back and kept its watermark';
COMMENT ON COLUMN etl.run_source.run_id IS 'The run (etl.run)';
COMMENT ON COLUMN etl.run_source.source IS 'Source name: the [source.NAME] section of pipeline.conf';
COMMENT ON COLUMN etl.run_source.status IS 'running, succeeded, failed or skipped';
COMMENT ON COLUMN etl.run_source.started_at IS 'When the source started extracting';
COMMENT ON COLUMN etl.run_source.finished_at IS 'When the source committed or failed';
COMMENT ON COLUMN etl.run_source.pages IS 'API pages or files read';
COMMENT ON COLUMN etl.run_source.records_read IS 'Raw records read from the source';
COMMENT ON COLUMN etl.run_source.inserted IS 'Warehouse rows inserted';
COMMENT ON COLUMN etl.run_source.updated IS 'Warehouse rows updated by a newer version';
COMMENT ON COLUMN etl.run_source.unchanged IS 'Records whose version was already loaded (no-op)';
COMMENT ON COLUMN etl.run_source.rejected IS 'Records written to etl.reject';
COMMENT ON COLUMN etl.run_source.error IS 'Why the source failed (first error), NULL otherwise';

CREATE TABLE etl.watermark (
    source     text NOT NULL,
    entity     text NOT NULL,
    value      timestamptz NOT NULL,
    run_id     bigint,
    updated_at timestamptz DEFAULT now(),
    PRIMARY KEY (source, entity)
);
COMMENT ON TABLE etl.watermark IS
    'Incremental extraction state: the largest source modified-time committed per (source, entity); moves in the same transaction as the data';
COMMENT ON COLUMN etl.watermark.source IS 'Source name ([source.NAME] of pipeline.conf)';
COMMENT ON COLUMN etl.watermark.entity IS 'Entity within the source, e.g. orders';
COMMENT ON COLUMN etl.watermark.value IS 'Largest committed source modified-time; the next run asks from value minus lookback';
COMMENT ON COLUMN etl.watermark.run_id IS 'The run (etl.run) that last advanced the watermark';
COMMENT ON COLUMN etl.watermark.updated_at IS 'When the watermark was last written';

CREATE TABLE etl.reject (
    reject_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id      bigint REFERENCES etl.run (run_id),
    source      text NOT NULL,
    entity      text NOT NULL,
    natural_key text,
    location    text,
    reason      text NOT NULL,
    raw         text NOT NULL,
    created_at  timestamptz DEFAULT now()
);
CREATE INDEX reject_run_id_idx ON etl.reject (run_id);
COMMENT ON TABLE etl.reject IS
    'Records that failed validation, with the reason and the raw record; holds PII, never granted to bi_reader';
COMMENT ON COLUMN etl.reject.reject_id IS 'Surrogate key of the reject';
COMMENT ON COLUMN etl.reject.run_id IS 'The run (etl.run) that rejected the record';
COMMENT ON COLUMN etl.reject.source IS 'Source name ([source.NAME] of pipeline.conf)';
COMMENT ON COLUMN etl.reject.entity IS 'Entity of the record, e.g. order, contact';
COMMENT ON COLUMN etl.reject.natural_key IS 'Natural key of the record if it could be read, e.g. platform:shop_id:order_no';
COMMENT ON COLUMN etl.reject.location IS 'Where the record came from: file:line or endpoint and page';
COMMENT ON COLUMN etl.reject.reason IS 'Why the record was rejected';
COMMENT ON COLUMN etl.reject.raw IS 'The raw record as received (JSON object or CSV line)';
COMMENT ON COLUMN etl.reject.created_at IS 'When the reject was written';

CREATE TABLE etl.setting (
    key   text PRIMARY KEY,
    value text NOT NULL
);
COMMENT ON TABLE etl.setting IS
    'Run settings the SQL needs (key/value), written by siyu migrate and siyu run from pipeline.conf';
COMMENT ON COLUMN etl.setting.key IS 'Setting name, e.g. timezone';
COMMENT ON COLUMN etl.setting.value IS 'Setting value; timezone is an IANA zone name such as Asia/Shanghai';

INSERT INTO etl.setting (key, value) VALUES ('timezone', 'Asia/Shanghai')
ON CONFLICT (key) DO NOTHING;
