package io.pgmlsidecar.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.util.List;
import org.junit.jupiter.api.Test;

/** pgml.embed in each strategy through psql (simple protocol), as a user would type it. */
class PsqlEmbedTest {

    private static final String MODEL = "sentence-transformers/all-MiniLM-L6-v2";

    private static Cli.Result psql(String script) throws Exception {
        int port = TestCluster.get().sidecarPort();
        return Cli.run(List.of(Cli.require("psql"), "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                Integer.toString(port), "-U", "postgres", "-d", "postgres", "-c", script), "it_psql_embed", 120);
    }

    @Test
    void everyStrategyThroughPsql() throws Exception {
        Cli.Result setup = psql("DROP TABLE IF EXISTS psql_embed; CREATE TABLE psql_embed (id int, body text, e real[]); "
                + "INSERT INTO psql_embed VALUES (1, 'a cat on a mat'), (2, 'stock prices fell'), (3, NULL)");
        assertEquals(0, setup.exitCode(), setup.all());
        Cli.Result s0 = psql("SELECT array_length(e, 1) FROM (SELECT pgml.embed('" + MODEL + "', 'hello') AS e) t");
        assertEquals("384", s0.stdout().trim(), s0.all());
        Cli.Result s3 = psql("UPDATE psql_embed SET e = pgml.embed('" + MODEL + "', body)");
        assertEquals("UPDATE 3", s3.stdout().trim(), s3.all());
        Cli.Result s1 = psql("SELECT id FROM psql_embed WHERE e IS NOT NULL "
                + "ORDER BY pgml.cosine_similarity(e, pgml.embed('" + MODEL + "', 'kitten on a rug')) DESC LIMIT 1");
        assertEquals("1", s1.stdout().trim(), s1.all());
        Cli.Result s2 = psql("SELECT id, pgml.embed('" + MODEL + "', body) IS NULL FROM psql_embed ORDER BY id");
        assertEquals(0, s2.exitCode(), "a row-dependent call inside an expression: " + s2.all());
        assertEquals("1|f\n2|f\n3|t", s2.stdout().trim(), s2.all());
        Cli.Result s2ok = psql("SELECT id, pgml.embed('" + MODEL + "', body) FROM psql_embed ORDER BY id");
        assertEquals(0, s2ok.exitCode(), s2ok.all());
        String[] lines = s2ok.stdout().trim().split("\n");
        assertEquals(3, lines.length, s2ok.all());
        assertTrue(lines[0].startsWith("1|{") && lines[0].split(",").length == 384, lines[0].substring(0, 40));
        assertEquals("3|", lines[2]);
        // SQL-level PREPARE and EXECUTE in one query string (decision 19): the EXECUTE follows a PREPARE the sidecar keeps
        Cli.Result prepare = psql("PREPARE q(text) AS SELECT pgml.embed('" + MODEL + "', $1); EXECUTE q('kitten on a rug')");
        assertEquals(0, prepare.exitCode(), prepare.all());
        String vector = prepare.stdout().trim().lines().reduce((a, b) -> b).orElse("");
        assertTrue(vector.startsWith("{") && vector.split(",").length == 384, prepare.all());
        Cli.Result literal = psql("SELECT 'pgml.embed(''m'', body)' -- pgml.embed('m', 'x')");
        assertEquals("pgml.embed('m', body)", literal.stdout().trim(), literal.all());
    }
}
