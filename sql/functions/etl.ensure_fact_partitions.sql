-- etl.ensure_fact_partitions — Creates any missing monthly partitions (dw.fact_order_pYYYYMM, dw.fact_order_line_pYYYYMM; …
--
-- Creates the missing monthly partitions of both facts for every month that
-- [from_ts, to_ts] touches (months in UTC). Idempotent; concurrent callers serialize on
-- a transaction-level advisory lock and to_regclass sees partitions committed meanwhile.
-- SECURITY DEFINER: partitions are owned by the function's owner (siyu_writer after 0008).
-- dw.fact_order's partitions leave a tenth of each page free (migration 0251).
CREATE OR REPLACE FUNCTION etl.ensure_fact_partitions(from_ts timestamptz, to_ts timestamptz) RETURNS int
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    first_month timestamp;
    last_month  timestamp;
    m           timestamp;
    fact        text;
    part        text;
    created     int := 0;
BEGIN
    IF from_ts IS NULL OR to_ts IS NULL OR from_ts > to_ts THEN
        RAISE EXCEPTION 'ensure_fact_partitions: bad range [%, %]', from_ts, to_ts
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    first_month := date_trunc('month', from_ts AT TIME ZONE 'UTC');
    last_month  := date_trunc('month', to_ts AT TIME ZONE 'UTC');
    IF last_month > first_month + interval '100 years' THEN
        RAISE EXCEPTION 'ensure_fact_partitions: range [%, %] spans more than 100 years', from_ts, to_ts
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- Serialize with concurrent callers (released at commit or rollback).
    PERFORM pg_advisory_xact_lock(hashtext('siyu.etl.ensure_fact_partitions'));

    m := first_month;
    WHILE m <= last_month LOOP
        FOREACH fact IN ARRAY ARRAY['fact_order', 'fact_order_line'] LOOP
            part := fact || '_p' || to_char(m, 'YYYYMM');
            IF to_regclass(format('dw.%I', part)) IS NULL THEN
                EXECUTE format(
                    'CREATE TABLE IF NOT EXISTS dw.%I PARTITION OF dw.%I FOR VALUES FROM (%L) TO (%L)%s',
                    part, fact,
                    to_char(m, 'YYYY-MM-DD') || ' 00:00:00+00',
                    to_char(m + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00',
                    -- room for the merge's updates of kept orders (migration 0251)
                    CASE WHEN fact = 'fact_order' THEN ' WITH (fillfactor = 90)' ELSE '' END);
                EXECUTE format('COMMENT ON TABLE dw.%I IS %L', part,
                    format('Partition of dw.%s for orders created in %s (UTC month)',
                           fact, to_char(m, 'YYYY-MM')));
                created := created + 1;
            END IF;
        END LOOP;
        m := m + interval '1 month';
    END LOOP;
    RETURN created;
END
$$;
COMMENT ON FUNCTION etl.ensure_fact_partitions(timestamptz, timestamptz) IS
    'Creates any missing monthly partitions (dw.fact_order_pYYYYMM, dw.fact_order_line_pYYYYMM; bounds at UTC midnight of the 1st) covering [from_ts, to_ts]; idempotent, safe to call concurrently; returns the number of partitions created';
