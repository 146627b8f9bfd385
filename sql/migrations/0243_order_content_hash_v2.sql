-- 0243_order_content_hash_v2.sql — dw.order_identity.content_hash in its second format (issue 16).
--
-- etl.merge_orders now hashes an order's content as 'v2:' and the hex of the xor of its
-- lines' hash_record_extended(row(...), 0) (each value hashed by its type, nothing turned
-- into text, no line order to sort by): at 1M orders 3 s where the md5 of the lines' text
-- in line_id order took 13-19 s of the merge (docs/performance.md, the merge's step 6). The
-- hashes stored so far stay valid: the merge compares an order whose stored hash is no
-- 'v2:' one in the md5 format, and stores the v2 hash when it finds it unchanged. Only the
-- column's comment changes here.

COMMENT ON COLUMN dw.order_identity.content_hash IS
    'Hash of the loaded version''s content (status, payment, buyer, amounts and every line; not its version or lineage): ''v2:'' and the xor of the lines'' hash_record_extended, or (stored before migration 0243) the md5 of the lines'' text; a newer version with the same content changes nothing but source_version';
