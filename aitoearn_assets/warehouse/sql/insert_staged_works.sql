-- Insert staged works (parameter 1: Parquet files), each work once: its last-served copy.
INSERT INTO raw_works BY NAME
SELECT * EXCLUDE (_seq)
FROM read_parquet(?)
QUALIFY row_number() OVER (PARTITION BY account_id, platform_work_id ORDER BY _seq DESC) = 1
