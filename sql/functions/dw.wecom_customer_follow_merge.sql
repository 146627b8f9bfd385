-- dw.wecom_customer_follow_merge — Trigger on dw.customer_merge

CREATE OR REPLACE FUNCTION dw.wecom_customer_follow_merge() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    UPDATE dw.wecom_customer SET customer_key = NEW.into_key WHERE customer_key = NEW.from_key;
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION dw.wecom_customer_follow_merge() IS
    'Trigger on dw.customer_merge: re-points dw.wecom_customer rows of a merged-away customer to the survivor (merges record the merge before deleting the old dim_customer row)';
CREATE OR REPLACE TRIGGER wecom_customer_follow_merge AFTER INSERT ON dw.customer_merge
    FOR EACH ROW EXECUTE FUNCTION dw.wecom_customer_follow_merge();
