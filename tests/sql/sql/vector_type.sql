-- The vector type: text and binary I/O, type modifiers, casts, operators,
-- and its errors.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS lake_fdw;
RESET client_min_messages;
SET search_path = public, lake;

SELECT '[1,2,3]'::vector;
SELECT ' [ 1.5 , -2e-3,3 ] '::vector;
SELECT '[1,2,3]'::vector(3);
SELECT '[0.1, 0.2, 0.30000001]'::vector;
SELECT '[1e30,-1e-30,0]'::vector;
-- The forms strtof reads, as pgvector does: a leading plus, hex, values
-- that round to zero; and a value that reads back exactly.
SELECT '[+1.5, 0x10, 1e-50, -0]'::vector;
SELECT '[0.1]'::vector::real[] = ARRAY[0.1::real] AS exact;

-- Malformed text, NaN, infinities, empty, too many dimensions.
SELECT '[1,2'::vector;
SELECT '1,2]'::vector;
SELECT '[1,,2]'::vector;
SELECT '[1,2]x'::vector;
SELECT '[1, two]'::vector;
SELECT '[+-1]'::vector;
SELECT '[1.5.2]'::vector;
SELECT '[]'::vector;
SELECT '[NaN]'::vector;
SELECT '[1, Infinity]'::vector;
SELECT '[1e39]'::vector;
SELECT array_fill(1, ARRAY[16001])::vector;

-- Type modifiers.
SELECT '[1,2,3]'::vector(2);
CREATE TABLE items (id int, embedding vector(3));
INSERT INTO items VALUES (1, '[1,2,3]'), (2, '[4,5,6]'), (3, '[1,1,1]');
INSERT INTO items VALUES (4, '[1,2]');
SELECT 'x'::vector(0);
SELECT 'x'::vector(16001);
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'items'::regclass AND attname = 'embedding';

-- Casts from and to arrays.
SELECT ARRAY[1,2,3]::vector, ARRAY[1.5,2.5]::real[]::vector, ARRAY[0.25]::float8[]::vector;
SELECT ARRAY[1.5,2.5]::numeric[]::vector;
SELECT '[1,2,3]'::vector::real[], '[1,2,3]'::vector::float8[];
SELECT ARRAY[1,NULL]::int[]::vector;
SELECT ARRAY[[1,2],[3,4]]::int[]::vector;
SELECT ARRAY[1,2]::int[]::vector(3);

-- Distances and measures (pgvector's operators).
SELECT '[1,2,3]'::vector <-> '[4,6,8]' AS l2,
       '[1,2,3]'::vector <#> '[4,6,8]' AS negative_inner_product,
       '[1,0]'::vector <=> '[0,1]' AS cosine_orthogonal,
       '[1,1]'::vector <=> '[2,2]' AS cosine_same_direction;
SELECT l2_distance('[0,0]', '[3,4]'), inner_product('[1,2]', '[3,4]'),
       cosine_distance('[1,0]', '[-1,0]');
SELECT '[0,0]'::vector <=> '[1,1]' AS cosine_of_zero;
SELECT vector_dims('[1,2,3]'), vector_norm('[3,4]');
SELECT '[1,2,3]'::vector <-> '[1,2]';
SELECT id, embedding <-> '[1,1,1]' AS distance FROM items ORDER BY embedding <-> '[1,1,1]';

-- Comparisons, sorting, grouping.
SELECT '[1,2]'::vector = '[1,2]', '[1,2]'::vector < '[1,3]', '[1,2]'::vector < '[1,2,0]';
SELECT embedding, count(*) FROM (SELECT embedding FROM items UNION ALL SELECT '[1,1,1]') t
 GROUP BY embedding ORDER BY embedding;

-- Binary send/recv round trip.
SELECT vector_send('[1,-2.5,3]'::vector);
CREATE TEMP TABLE copied (embedding vector(3));
COPY (SELECT embedding FROM items ORDER BY id) TO '/tmp/lake_vector_binary.copy' WITH (FORMAT binary);
COPY copied FROM '/tmp/lake_vector_binary.copy' WITH (FORMAT binary);
SELECT * FROM copied;
\! rm -f /tmp/lake_vector_binary.copy
DROP TABLE items;
