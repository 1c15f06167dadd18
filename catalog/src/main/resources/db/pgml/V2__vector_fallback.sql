-- A stand-in for pgvector where it is not installed (managed databases without it, this machine):
-- pgml.install_vector_fallback() creates, in schema public, a domain `vector` over real[] and the
-- distance operators <-> (L2), <=> (cosine distance), <#> (negative inner product) on real[].
-- It does nothing when a type named vector already exists (pgvector installed): it never shadows
-- the real one. Differences from pgvector: no typmod (write `vector`, not `vector(384)`), array
-- literals use braces ('{1,2,3}'), and there is no ANN index (exact scans).
CREATE OR REPLACE FUNCTION pgml.vector_l2_distance(a real[], b real[]) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT pgml.distance_l2(a, b)::double precision $$;
CREATE OR REPLACE FUNCTION pgml.vector_cosine_distance(a real[], b real[]) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT 1 - pgml.cosine_similarity(a, b)::double precision $$;
CREATE OR REPLACE FUNCTION pgml.vector_negative_inner_product(a real[], b real[]) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT -pgml.dot_product(a, b)::double precision $$;

CREATE OR REPLACE FUNCTION pgml.install_vector_fallback() RETURNS text
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF to_regtype('vector') IS NOT NULL THEN
        RETURN 'a type named vector exists already (pgvector?): nothing installed';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
        CREATE EXTENSION vector;
        RETURN 'pgvector is available: CREATE EXTENSION vector done';
    END IF;
    CREATE DOMAIN public.vector AS real[];
    CREATE OPERATOR public.<-> (LEFTARG = real[], RIGHTARG = real[], FUNCTION = pgml.vector_l2_distance, COMMUTATOR = OPERATOR(public.<->));
    CREATE OPERATOR public.<=> (LEFTARG = real[], RIGHTARG = real[], FUNCTION = pgml.vector_cosine_distance, COMMUTATOR = OPERATOR(public.<=>));
    CREATE OPERATOR public.<#> (LEFTARG = real[], RIGHTARG = real[], FUNCTION = pgml.vector_negative_inner_product, COMMUTATOR = OPERATOR(public.<#>));
    RETURN 'pgvector is not available: installed the real[] fallback (domain public.vector, operators <->, <=>, <#>)';
END
$$;
