-- Chunking documents, embedding the chunks, and searching them.
CREATE TEMP TABLE documents (id int, document text);
INSERT INTO documents VALUES
    (1, E'# Cats\n\nCats are small carnivorous mammals. They sleep a lot.\n\n## Kittens\n\nKittens are young cats that play all day.'),
    (2, E'# Markets\n\nStock markets move on interest rate news.\n\nBonds fell as yields rose.');
SELECT * FROM pgml.chunk('recursive_character', 'Hello world. This is a test of chunking.', '{"chunk_size": 16, "chunk_overlap": 4}');
SELECT d.id, c.chunk_index, c.chunk
FROM documents d, LATERAL pgml.chunk('markdown', d.document, '{"chunk_size": 60, "chunk_overlap": 0}') c
ORDER BY d.id, c.chunk_index;
CREATE TEMP TABLE chunks AS
SELECT d.id AS document_id, c.chunk_index, c.chunk
FROM documents d, LATERAL pgml.chunk('recursive_character', d.document, '{"chunk_size": 60, "chunk_overlap": 10}') c;
ALTER TABLE chunks ADD COLUMN embedding real[];
UPDATE chunks SET embedding = pgml.embed('sentence-transformers/all-MiniLM-L6-v2', chunk);
SELECT document_id, chunk FROM chunks
ORDER BY pgml.cosine_similarity(embedding, pgml.embed('sentence-transformers/all-MiniLM-L6-v2', 'young cats')) DESC LIMIT 1;
SELECT count(*) AS sentences FROM pgml.chunk('nltk', 'Dr. Smith arrived. He was late! Was he tired?', '{"chunk_size": 20, "chunk_overlap": 0}');
