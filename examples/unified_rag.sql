-- PostgresML's unified RAG guide (guides/unified-rag.md), as it is written there: chunk the
-- documents, embed the chunks, then embed the question, find the nearest chunks and rerank them,
-- all in one statement. Models are the bundled embedding model; pgvector is replaced by the
-- sidecar's real[] fallback where it is not installed.
SELECT pgml.install_vector_fallback();
CREATE TEMP TABLE documents (id serial PRIMARY KEY, document text NOT NULL);
CREATE TEMP TABLE chunks (id serial PRIMARY KEY, document_id int NOT NULL, chunk_index int NOT NULL, chunk text NOT NULL);
CREATE TEMP TABLE embeddings (id serial PRIMARY KEY, chunk_id int NOT NULL, embedding vector NOT NULL);
INSERT INTO documents (document) VALUES
    ('Here is an example of the pgml.transform function'),
    ('Here is another example of the pgml.transform function'),
    ('Here is a third example of the pgml.transform function'),
    ('Cats sleep most of the day. They like warm places.'),
    ('The stock market closed higher on Friday.');
-- chunk and embed in one statement
INSERT INTO chunks (document_id, chunk_index, chunk)
    SELECT documents.id, (chunk).chunk_index, (chunk).chunk
    FROM (SELECT id, pgml.chunk('recursive_character', document, '{"chunk_size": 60, "chunk_overlap": 0}') chunk FROM documents) documents;
INSERT INTO embeddings (chunk_id, embedding)
    SELECT id, pgml.embed('sentence-transformers/all-MiniLM-L6-v2', chunk)::vector FROM chunks;
-- unified retrieval + reranking
WITH embedded_query AS (
    SELECT
        pgml.embed('sentence-transformers/all-MiniLM-L6-v2', 'How do I write a select statement with pgml.transform?', '{"prompt": "Represent this sentence for searching relevant passages: "}')::vector embedding
),
vector_search AS (
    SELECT
      chunks.id,
      (
          SELECT
              embedding
          FROM embedded_query) <=> embeddings.embedding cosine_distance,
      chunks.chunk
  FROM
      chunks
  INNER JOIN embeddings ON embeddings.chunk_id = chunks.id
  ORDER BY
      embeddings.embedding <=> (
          SELECT
              embedding
          FROM embedded_query)
  LIMIT 3
),
row_number_vector_search AS (
    SELECT
        cosine_distance,
        chunk,
        ROW_NUMBER() OVER () AS row_number
    FROM
        vector_search
)
SELECT
    cosine_distance,
    (rank).score AS rank_score,
    chunk
FROM (
    SELECT
      cosine_distance,
      rank,
      chunk
    FROM
        row_number_vector_search AS rnsv1
    INNER JOIN (
        SELECT
          pgml.rank('sentence-transformers/all-MiniLM-L6-v2', 'How do I write a select statement with pgml.transform?', array_agg("chunk"), '{"return_documents": false, "top_k": 3}'::jsonb || '{}') AS rank
        FROM
          row_number_vector_search
    ) AS rnsv2 ON (rank).corpus_id + 1 = rnsv1.row_number
) AS sub_query
ORDER BY rank_score DESC;
