-- PostgresML's vector helpers (src/vectors.rs) as SQL functions, so PostgreSQL evaluates them
-- itself in every query shape. Overloads for real[] and double precision[]; the result type
-- matches the input. Element-wise ops on two vectors zip, truncating to the shorter one, as
-- PostgresML does. Parameter names are PostgresML's, typo `subtahend` included. Reductions
-- (norms, distances, dot products) are computed in double precision: a real * real product of
-- small embedding components would otherwise raise PostgreSQL's underflow error.
CREATE SCHEMA IF NOT EXISTS pgml;

CREATE OR REPLACE FUNCTION pgml.add(vector real[], addend real) RETURNS real[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(u.v + addend ORDER BY u.i), '{}') FROM unnest(vector) WITH ORDINALITY AS u(v, i) $$;
CREATE OR REPLACE FUNCTION pgml.add(vector real[], addend real[]) RETURNS real[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(a.v + b.v ORDER BY a.i), '{}')
          FROM unnest(vector) WITH ORDINALITY AS a(v, i) JOIN unnest(addend) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.subtract(vector real[], subtahend real) RETURNS real[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(u.v - subtahend ORDER BY u.i), '{}') FROM unnest(vector) WITH ORDINALITY AS u(v, i) $$;
CREATE OR REPLACE FUNCTION pgml.subtract(vector real[], subtahend real[]) RETURNS real[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(a.v - b.v ORDER BY a.i), '{}')
          FROM unnest(vector) WITH ORDINALITY AS a(v, i) JOIN unnest(subtahend) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.multiply(vector real[], multiplicand real) RETURNS real[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(u.v * multiplicand ORDER BY u.i), '{}') FROM unnest(vector) WITH ORDINALITY AS u(v, i) $$;
CREATE OR REPLACE FUNCTION pgml.multiply(vector real[], multiplicand real[]) RETURNS real[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(a.v * b.v ORDER BY a.i), '{}')
          FROM unnest(vector) WITH ORDINALITY AS a(v, i) JOIN unnest(multiplicand) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.divide(vector real[], dividend real) RETURNS real[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(u.v / dividend ORDER BY u.i), '{}') FROM unnest(vector) WITH ORDINALITY AS u(v, i) $$;
CREATE OR REPLACE FUNCTION pgml.divide(vector real[], dividend real[]) RETURNS real[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(a.v / b.v ORDER BY a.i), '{}')
          FROM unnest(vector) WITH ORDINALITY AS a(v, i) JOIN unnest(dividend) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.norm_l0(vector real[]) RETURNS real
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT count(*)::real FROM unnest(vector) AS u(v) WHERE u.v <> 0 $$;

CREATE OR REPLACE FUNCTION pgml.norm_l1(vector real[]) RETURNS real
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(sum(abs(u.v::float8)), 0)::real FROM unnest(vector) AS u(v) $$;

CREATE OR REPLACE FUNCTION pgml.norm_l2(vector real[]) RETURNS real
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT sqrt(coalesce(sum(u.v::float8 * u.v::float8), 0))::real FROM unnest(vector) AS u(v) $$;

CREATE OR REPLACE FUNCTION pgml.norm_max(vector real[]) RETURNS real
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(max(abs(u.v::float8)), 0)::real FROM unnest(vector) AS u(v) $$;

CREATE OR REPLACE FUNCTION pgml.normalize_l1(vector real[]) RETURNS real[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT pgml.divide(vector, pgml.norm_l1(vector)) $$;

CREATE OR REPLACE FUNCTION pgml.normalize_l2(vector real[]) RETURNS real[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT pgml.divide(vector, pgml.norm_l2(vector)) $$;

CREATE OR REPLACE FUNCTION pgml.normalize_max(vector real[]) RETURNS real[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT pgml.divide(vector, pgml.norm_max(vector)) $$;

CREATE OR REPLACE FUNCTION pgml.distance_l1(vector real[], other real[]) RETURNS real
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(sum(abs(a.v::float8 - b.v::float8)), 0)::real FROM unnest(vector) WITH ORDINALITY AS a(v, i) JOIN unnest(other) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.distance_l2(vector real[], other real[]) RETURNS real
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT sqrt(coalesce(sum((a.v::float8 - b.v::float8) * (a.v::float8 - b.v::float8)), 0))::real FROM unnest(vector) WITH ORDINALITY AS a(v, i) JOIN unnest(other) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.dot_product(vector real[], other real[]) RETURNS real
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(sum(a.v::float8 * b.v::float8), 0)::real FROM unnest(vector) WITH ORDINALITY AS a(v, i) JOIN unnest(other) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.cosine_similarity(vector real[], other real[]) RETURNS real
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT (sum(a.v::float8 * b.v::float8) / (sqrt(sum(a.v::float8 * a.v::float8)) * sqrt(sum(b.v::float8 * b.v::float8))))::real FROM unnest(vector) WITH ORDINALITY AS a(v, i) JOIN unnest(other) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.elementwise_max_step(state real[], vector real[]) RETURNS real[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT array_agg(greatest(a.v, b.v) ORDER BY a.i) FROM unnest(state) WITH ORDINALITY AS a(v, i) JOIN unnest(vector) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.elementwise_min_step(state real[], vector real[]) RETURNS real[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT array_agg(least(a.v, b.v) ORDER BY a.i) FROM unnest(state) WITH ORDINALITY AS a(v, i) JOIN unnest(vector) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.elementwise_max_abs_step(state real[], vector real[]) RETURNS real[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT array_agg(greatest(abs(a.v), abs(b.v)) ORDER BY a.i) FROM unnest(state) WITH ORDINALITY AS a(v, i) JOIN unnest(vector) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.elementwise_min_abs_step(state real[], vector real[]) RETURNS real[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT array_agg(least(abs(a.v), abs(b.v)) ORDER BY a.i) FROM unnest(state) WITH ORDINALITY AS a(v, i) JOIN unnest(vector) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE AGGREGATE pgml.sum(real[]) (SFUNC = pgml.add, STYPE = real[], COMBINEFUNC = pgml.add, PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE pgml.max(real[]) (SFUNC = pgml.elementwise_max_step, STYPE = real[], COMBINEFUNC = pgml.elementwise_max_step, PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE pgml.min(real[]) (SFUNC = pgml.elementwise_min_step, STYPE = real[], COMBINEFUNC = pgml.elementwise_min_step, PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE pgml.max_abs(real[]) (SFUNC = pgml.elementwise_max_abs_step, STYPE = real[], COMBINEFUNC = pgml.elementwise_max_abs_step, PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE pgml.min_abs(real[]) (SFUNC = pgml.elementwise_min_abs_step, STYPE = real[], COMBINEFUNC = pgml.elementwise_min_abs_step, PARALLEL = SAFE);

CREATE OR REPLACE FUNCTION pgml.add(vector double precision[], addend double precision) RETURNS double precision[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(u.v + addend ORDER BY u.i), '{}') FROM unnest(vector) WITH ORDINALITY AS u(v, i) $$;
CREATE OR REPLACE FUNCTION pgml.add(vector double precision[], addend double precision[]) RETURNS double precision[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(a.v + b.v ORDER BY a.i), '{}')
          FROM unnest(vector) WITH ORDINALITY AS a(v, i) JOIN unnest(addend) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.subtract(vector double precision[], subtahend double precision) RETURNS double precision[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(u.v - subtahend ORDER BY u.i), '{}') FROM unnest(vector) WITH ORDINALITY AS u(v, i) $$;
CREATE OR REPLACE FUNCTION pgml.subtract(vector double precision[], subtahend double precision[]) RETURNS double precision[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(a.v - b.v ORDER BY a.i), '{}')
          FROM unnest(vector) WITH ORDINALITY AS a(v, i) JOIN unnest(subtahend) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.multiply(vector double precision[], multiplicand double precision) RETURNS double precision[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(u.v * multiplicand ORDER BY u.i), '{}') FROM unnest(vector) WITH ORDINALITY AS u(v, i) $$;
CREATE OR REPLACE FUNCTION pgml.multiply(vector double precision[], multiplicand double precision[]) RETURNS double precision[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(a.v * b.v ORDER BY a.i), '{}')
          FROM unnest(vector) WITH ORDINALITY AS a(v, i) JOIN unnest(multiplicand) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.divide(vector double precision[], dividend double precision) RETURNS double precision[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(u.v / dividend ORDER BY u.i), '{}') FROM unnest(vector) WITH ORDINALITY AS u(v, i) $$;
CREATE OR REPLACE FUNCTION pgml.divide(vector double precision[], dividend double precision[]) RETURNS double precision[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(a.v / b.v ORDER BY a.i), '{}')
          FROM unnest(vector) WITH ORDINALITY AS a(v, i) JOIN unnest(dividend) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.norm_l0(vector double precision[]) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT count(*)::double precision FROM unnest(vector) AS u(v) WHERE u.v <> 0 $$;

CREATE OR REPLACE FUNCTION pgml.norm_l1(vector double precision[]) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(sum(abs(u.v::float8)), 0)::double precision FROM unnest(vector) AS u(v) $$;

CREATE OR REPLACE FUNCTION pgml.norm_l2(vector double precision[]) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT sqrt(coalesce(sum(u.v::float8 * u.v::float8), 0))::double precision FROM unnest(vector) AS u(v) $$;

CREATE OR REPLACE FUNCTION pgml.norm_max(vector double precision[]) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(max(abs(u.v::float8)), 0)::double precision FROM unnest(vector) AS u(v) $$;

CREATE OR REPLACE FUNCTION pgml.normalize_l1(vector double precision[]) RETURNS double precision[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT pgml.divide(vector, pgml.norm_l1(vector)) $$;

CREATE OR REPLACE FUNCTION pgml.normalize_l2(vector double precision[]) RETURNS double precision[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT pgml.divide(vector, pgml.norm_l2(vector)) $$;

CREATE OR REPLACE FUNCTION pgml.normalize_max(vector double precision[]) RETURNS double precision[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT pgml.divide(vector, pgml.norm_max(vector)) $$;

CREATE OR REPLACE FUNCTION pgml.distance_l1(vector double precision[], other double precision[]) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(sum(abs(a.v::float8 - b.v::float8)), 0)::double precision FROM unnest(vector) WITH ORDINALITY AS a(v, i) JOIN unnest(other) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.distance_l2(vector double precision[], other double precision[]) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT sqrt(coalesce(sum((a.v::float8 - b.v::float8) * (a.v::float8 - b.v::float8)), 0))::double precision FROM unnest(vector) WITH ORDINALITY AS a(v, i) JOIN unnest(other) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.dot_product(vector double precision[], other double precision[]) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(sum(a.v::float8 * b.v::float8), 0)::double precision FROM unnest(vector) WITH ORDINALITY AS a(v, i) JOIN unnest(other) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.cosine_similarity(vector double precision[], other double precision[]) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT (sum(a.v::float8 * b.v::float8) / (sqrt(sum(a.v::float8 * a.v::float8)) * sqrt(sum(b.v::float8 * b.v::float8))))::double precision FROM unnest(vector) WITH ORDINALITY AS a(v, i) JOIN unnest(other) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.elementwise_max_step(state double precision[], vector double precision[]) RETURNS double precision[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT array_agg(greatest(a.v, b.v) ORDER BY a.i) FROM unnest(state) WITH ORDINALITY AS a(v, i) JOIN unnest(vector) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.elementwise_min_step(state double precision[], vector double precision[]) RETURNS double precision[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT array_agg(least(a.v, b.v) ORDER BY a.i) FROM unnest(state) WITH ORDINALITY AS a(v, i) JOIN unnest(vector) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.elementwise_max_abs_step(state double precision[], vector double precision[]) RETURNS double precision[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT array_agg(greatest(abs(a.v), abs(b.v)) ORDER BY a.i) FROM unnest(state) WITH ORDINALITY AS a(v, i) JOIN unnest(vector) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE FUNCTION pgml.elementwise_min_abs_step(state double precision[], vector double precision[]) RETURNS double precision[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT array_agg(least(abs(a.v), abs(b.v)) ORDER BY a.i) FROM unnest(state) WITH ORDINALITY AS a(v, i) JOIN unnest(vector) WITH ORDINALITY AS b(v, i) ON a.i = b.i $$;

CREATE OR REPLACE AGGREGATE pgml.sum(double precision[]) (SFUNC = pgml.add, STYPE = double precision[], COMBINEFUNC = pgml.add, PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE pgml.max(double precision[]) (SFUNC = pgml.elementwise_max_step, STYPE = double precision[], COMBINEFUNC = pgml.elementwise_max_step, PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE pgml.min(double precision[]) (SFUNC = pgml.elementwise_min_step, STYPE = double precision[], COMBINEFUNC = pgml.elementwise_min_step, PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE pgml.max_abs(double precision[]) (SFUNC = pgml.elementwise_max_abs_step, STYPE = double precision[], COMBINEFUNC = pgml.elementwise_max_abs_step, PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE pgml.min_abs(double precision[]) (SFUNC = pgml.elementwise_min_abs_step, STYPE = double precision[], COMBINEFUNC = pgml.elementwise_min_abs_step, PARALLEL = SAFE);
