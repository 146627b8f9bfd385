-- kpi/customer_rfm.sql — kpi.customer_value without what moves with the end of observation: kpi.customer_rfm
-- requires: kpi/customer_orders.sql kpi/customer_score.sql kpi/pool_membership.sql functions/kpi.refresh_by_customer.sql
--
-- The RFM scores rank every customer, so one changed customer can move others across a
-- quintile boundary: kpi.refresh() ranks everyone again first (kpi.customer_score), then
-- kpi.customer_rfm_refresh() recomputes and writes only the rows of the customers whose
-- orders changed (the change record), whose scores moved (against the scores this table
-- holds), or whose private-domain columns moved (kpi.customer_contact), through
-- kpi.refresh_by_customer. R ranks by last_order_date ascending: the same order as
-- recency_days descending at any end of observation, so the scores do not change when only
-- it moves. Every other column of kpi.customer_value is here too, so that the view reads one
-- table (≤ 1 s whole at 1M orders) and adds only snapshot_date and recency_days.
DROP TABLE IF EXISTS kpi.customer_rfm CASCADE;
CREATE TABLE kpi.customer_rfm (
    customer_key      bigint        NOT NULL,
    first_order_at    timestamptz   NOT NULL,
    last_order_at     timestamptz   NOT NULL,
    first_order_date  date          NOT NULL,
    last_order_date   date          NOT NULL,
    orders            bigint        NOT NULL,
    paid_fen          bigint        NOT NULL,
    paid_yuan         numeric(14,2) NOT NULL,
    refund_fen        bigint        NOT NULL,
    refund_yuan       numeric(14,2) NOT NULL,
    net_paid_fen      bigint        NOT NULL,
    net_paid_yuan     numeric(14,2) NOT NULL,
    aov_fen           bigint        NOT NULL,
    aov_yuan          numeric(14,2) NOT NULL,
    r_score           integer       NOT NULL,
    f_score           integer       NOT NULL,
    m_score           integer       NOT NULL,
    rfm_code          text          NOT NULL,
    segment_code      text          NOT NULL,
    segment_cn        text          NOT NULL,
    segment_en        text          NOT NULL,
    first_contact_at  timestamptz,
    in_private_domain boolean       NOT NULL,
    CONSTRAINT customer_rfm_uq PRIMARY KEY (customer_key)
);

-- the scores of earlier versions, ranked by a function (kpi/customer_score.sql keeps them now)
DROP FUNCTION IF EXISTS kpi.customer_scores();

-- Every customer's private-domain columns, from their WeCom relationships.
CREATE OR REPLACE FUNCTION kpi.customer_contact()
RETURNS TABLE (customer_key bigint, first_contact_at timestamptz, in_private_domain boolean)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT m.customer_key, min(m.entered_at), bool_or(m.left_at IS NULL)
      FROM kpi.pool_membership m
     WHERE m.pool = 'contact' AND m.dimension = 'total'
     GROUP BY m.customer_key;
END;
COMMENT ON FUNCTION kpi.customer_contact() IS
  'Per customer ever in the contact pool (kpi.pool_membership): when they first entered it and whether a relationship is '
  'active now: the private-domain columns of kpi.customer_rfm.';

CREATE OR REPLACE FUNCTION kpi.customer_rfm_of(p_customers bigint[])
RETURNS SETOF kpi.customer_rfm
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT x.customer_key, x.first_order_at, x.last_order_at, x.first_order_date, x.last_order_date,
           x.orders, x.paid_fen, x.paid_yuan, x.refund_fen, x.refund_yuan, x.net_paid_fen, x.net_paid_yuan,
           round(x.net_paid_fen::numeric / x.orders)::bigint                AS aov_fen,
           (round(x.net_paid_fen::numeric / x.orders) / 100.0)::numeric(14,2) AS aov_yuan,
           s.r_score, s.f_score, s.m_score,
           s.r_score::text || s.f_score::text || s.m_score::text            AS rfm_code,
           seg.segment_code, seg.segment_cn, seg.segment_en,
           pd.first_contact_at,
           coalesce(pd.in_private_domain, false)                            AS in_private_domain
      FROM kpi.customer_orders x
      JOIN kpi.customer_score s USING (customer_key)
      LEFT JOIN kpi.customer_contact() pd USING (customer_key)
      JOIN (VALUES
            (true,  true,  true,  'important_value',   '重要价值', 'Important value'),
            (true,  false, true,  'important_develop', '重要发展', 'Important development'),
            (false, true,  true,  'important_retain',  '重要保持', 'Important retention'),
            (false, false, true,  'important_winback', '重要挽留', 'Important win-back'),
            (true,  true,  false, 'general_value',     '一般价值', 'General value'),
            (true,  false, false, 'general_develop',   '一般发展', 'General development'),
            (false, true,  false, 'general_retain',    '一般保持', 'General retention'),
            (false, false, false, 'general_winback',   '一般挽留', 'General win-back')
           ) AS seg (r_high, f_high, m_high, segment_code, segment_cn, segment_en)
        ON seg.r_high = (s.r_score >= 3) AND seg.f_high = (s.f_score >= 3) AND seg.m_high = (s.m_score >= 3)
     WHERE p_customers IS NULL OR x.customer_key = ANY (p_customers);
END;
COMMENT ON FUNCTION kpi.customer_rfm_of(bigint[]) IS
  'The rows of kpi.customer_rfm (quintiles over all customers) of the customers in p_customers, all when NULL.';

CREATE OR REPLACE FUNCTION kpi.customer_rfm_refresh()
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_moved bigint[];
BEGIN
    -- Before kpi.refresh_by_customer takes its own claim: the rows compared here are what the
    -- last refresh wrote (a second refresh waits for the first to commit).
    LOCK TABLE kpi.customer_rfm IN EXCLUSIVE MODE;
    SELECT array_agg(customer_key) INTO v_moved
      FROM (SELECT s.customer_key
              FROM kpi.customer_score s JOIN kpi.customer_rfm r USING (customer_key)
             WHERE (s.r_score, s.f_score, s.m_score) IS DISTINCT FROM (r.r_score, r.f_score, r.m_score)
            UNION
            SELECT r.customer_key
              FROM kpi.customer_rfm r LEFT JOIN kpi.customer_contact() p USING (customer_key)
             WHERE (r.first_contact_at, r.in_private_domain)
                   IS DISTINCT FROM (p.first_contact_at, coalesce(p.in_private_domain, false))) m;
    RETURN kpi.refresh_by_customer('kpi.customer_rfm', 'customer_key', v_moved);
END
$fn$;
REVOKE ALL ON FUNCTION kpi.customer_rfm_refresh() FROM PUBLIC;
COMMENT ON FUNCTION kpi.customer_rfm_refresh() IS
  'Brings kpi.customer_rfm up to date for kpi.refresh(), after kpi.customer_score has ranked every customer again: recomputes the '
  'rows of the customers whose qualifying orders changed since its mark in the change record, whose scores moved or whose '
  'private-domain columns moved (kpi.refresh_by_customer), writing the difference. Returns ''incremental'' or ''full''.';

-- filled now (the table is empty: one INSERT), its mark at the change record's head
SELECT kpi.customer_rfm_refresh();
ANALYZE kpi.customer_rfm;
CREATE INDEX customer_rfm_segment ON kpi.customer_rfm (segment_code);

COMMENT ON TABLE kpi.customer_rfm IS
  'Building block of kpi.customer_value: every column of it but snapshot_date and recency_days, which move with the end '
  'of observation. Grain: one row per customer of kpi.customer_orders (≥ 1 qualifying order). Scores are quintiles by '
  'ntile(5) over all of them, ordered by (value, customer_key): R by last_order_date (most recent = 5; the order of '
  'recency_days descending), F by orders, M by net_paid_fen (highest = 5). Kept by kpi.refresh(): the rows of the customers '
  'whose orders, scores or private-domain columns changed are recomputed.';
COMMENT ON COLUMN kpi.customer_rfm.customer_key IS 'Customer (dw.dim_customer), after merges.';
COMMENT ON COLUMN kpi.customer_rfm.first_order_at IS 'Payment time of the first qualifying order.';
COMMENT ON COLUMN kpi.customer_rfm.last_order_at IS 'Payment time of the last qualifying order.';
COMMENT ON COLUMN kpi.customer_rfm.first_order_date IS 'Business date of the first qualifying payment.';
COMMENT ON COLUMN kpi.customer_rfm.last_order_date IS 'Business date of the last qualifying payment.';
COMMENT ON COLUMN kpi.customer_rfm.orders IS 'Qualifying orders (F).';
COMMENT ON COLUMN kpi.customer_rfm.paid_fen IS 'Σ paid_fen of the qualifying orders, fen, before refunds.';
COMMENT ON COLUMN kpi.customer_rfm.paid_yuan IS 'paid_fen in yuan.';
COMMENT ON COLUMN kpi.customer_rfm.refund_fen IS 'Σ refund_fen of the qualifying orders (partial refunds), fen.';
COMMENT ON COLUMN kpi.customer_rfm.refund_yuan IS 'refund_fen in yuan.';
COMMENT ON COLUMN kpi.customer_rfm.net_paid_fen IS 'paid_fen − refund_fen: total paid, historic LTV (M), fen.';
COMMENT ON COLUMN kpi.customer_rfm.net_paid_yuan IS 'net_paid_fen in yuan.';
COMMENT ON COLUMN kpi.customer_rfm.aov_fen IS 'net_paid_fen ÷ orders (average order value), rounded to the fen.';
COMMENT ON COLUMN kpi.customer_rfm.aov_yuan IS 'aov_fen in yuan.';
COMMENT ON COLUMN kpi.customer_rfm.r_score IS 'Recency quintile 1–5 (5 = most recent), ties by customer_key.';
COMMENT ON COLUMN kpi.customer_rfm.f_score IS 'Frequency quintile 1–5 (5 = most orders), ties by customer_key.';
COMMENT ON COLUMN kpi.customer_rfm.m_score IS 'Monetary quintile 1–5 (5 = highest net_paid), ties by customer_key.';
COMMENT ON COLUMN kpi.customer_rfm.rfm_code IS 'r_score, f_score, m_score as three digits, e.g. ''535''.';
COMMENT ON COLUMN kpi.customer_rfm.segment_code IS 'Segment id: important_value, important_develop, important_retain, important_winback, general_value, general_develop, general_retain, general_winback.';
COMMENT ON COLUMN kpi.customer_rfm.segment_cn IS 'Segment name in Chinese: 重要价值 / 重要发展 / 重要保持 / 重要挽留 / 一般价值 / 一般发展 / 一般保持 / 一般挽留.';
COMMENT ON COLUMN kpi.customer_rfm.segment_en IS 'Segment name in English (Important value, …, General win-back).';
COMMENT ON COLUMN kpi.customer_rfm.first_contact_at IS 'When the customer first entered the private domain (first WeCom relationship); NULL if never.';
COMMENT ON COLUMN kpi.customer_rfm.in_private_domain IS 'true when the customer has an active WeCom relationship in the warehouse''s latest WeCom snapshot.';
