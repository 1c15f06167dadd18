-- Vector helpers and embeddings: nearest neighbours by cosine similarity.
SELECT pgml.add(ARRAY[1.0, 2.0]::real[], 3.0::real), pgml.norm_l2(ARRAY[3.0, 4.0]::real[]),
       pgml.normalize_l2(ARRAY[3.0, 4.0]::real[]), pgml.dot_product(ARRAY[1, 2]::real[], ARRAY[3, 4]::real[]),
       pgml.distance_l2(ARRAY[0, 0]::real[], ARRAY[3, 4]::real[]);
SELECT pgml.sum(v), pgml.max_abs(v) FROM (VALUES (ARRAY[1, -5]::real[]), (ARRAY[2, 3]::real[])) t(v);
CREATE TEMP TABLE sentences (id int, body text, embedding real[]);
INSERT INTO sentences (id, body) VALUES
    (1, 'The cat sat on the mat.'), (2, 'Stock markets fell sharply today.'),
    (3, 'A kitten is sleeping on a rug.'), (4, 'The central bank raised interest rates.');
UPDATE sentences SET embedding = pgml.embed('sentence-transformers/all-MiniLM-L6-v2', body);
SELECT id, body, pgml.cosine_similarity(embedding, pgml.embed('sentence-transformers/all-MiniLM-L6-v2', 'cats and kittens')) AS similarity
FROM sentences ORDER BY similarity DESC LIMIT 2;
SELECT * FROM pgml.embed('intfloat/e5-small-v2', ARRAY['query: pets', 'query: finance']);
