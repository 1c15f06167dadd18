package io.pgmlsidecar.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.support.TinyTaskModels;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** pgml.transform through psql (simple protocol), alone and over a table's rows, as a user would type it. */
class PsqlTransformTest {

    @BeforeAll
    static void models() {
        TinyTaskModels.install();
    }

    private static Cli.Result psql(String script) throws Exception {
        int port = TestCluster.get().sidecarPort();
        return Cli.run(List.of(Cli.require("psql"), "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                Integer.toString(port), "-U", "postgres", "-d", "postgres", "-c", script), "it_psql_transform", 120);
    }

    @Test
    void classificationAloneAndOverRows() throws Exception {
        String task = "'{\"task\": \"text-classification\", \"model\": \"" + TinyTaskModels.SENTIMENT + "\"}'";
        Cli.Result s0 = psql("SELECT pgml.transform(" + task + ", inputs => ARRAY['a great film'])");
        assertEquals(0, s0.exitCode(), s0.all());
        assertTrue(s0.stdout().trim().matches("\\[\\{\"label\": \"POSITIVE\", \"score\": 0\\.9\\d+}]"), s0.stdout());

        Cli.Result setup = psql("DROP TABLE IF EXISTS psql_reviews; CREATE TABLE psql_reviews (id int, body text); "
                + "INSERT INTO psql_reviews VALUES (1, 'good'), (2, 'awful'), (3, 'bad movie')");
        assertEquals(0, setup.exitCode(), setup.all());
        Cli.Result s2 = psql("SELECT id, pgml.transform(" + task + ", inputs => ARRAY[body]) FROM psql_reviews ORDER BY id");
        assertEquals(0, s2.exitCode(), s2.all());
        String[] lines = s2.stdout().trim().split("\n");
        assertEquals(3, lines.length, s2.all());
        assertTrue(lines[0].startsWith("1|[{\"label\": \"POSITIVE\""), lines[0]);
        assertTrue(lines[1].startsWith("2|[{\"label\": \"NEGATIVE\""), lines[1]);
        assertTrue(lines[2].startsWith("3|[{\"label\": \"NEGATIVE\""), lines[2]);

        assertEquals(0, psql("DROP TABLE IF EXISTS psql_labels").exitCode());
        Cli.Result ctas = psql("CREATE TABLE psql_labels AS SELECT id, pgml.transform(" + task + ", inputs => ARRAY[body]) AS out FROM psql_reviews");
        assertEquals(0, ctas.exitCode(), ctas.all());
        Cli.Result negative = psql("SELECT count(*) FROM psql_labels WHERE out -> 0 ->> 'label' = 'NEGATIVE'");
        assertEquals("2", negative.stdout().trim(), negative.all());

        Cli.Result qa = psql("SELECT pgml.transform('{\"task\": \"question-answering\", \"model\": \"" + TinyTaskModels.QA
                + "\"}'::jsonb, inputs => ARRAY['{\"question\": \"where does john live?\", \"context\": \"john lives in london.\"}'])");
        assertEquals(0, qa.exitCode(), qa.all());
        assertTrue(qa.stdout().contains("\"answer\": \"london\""), qa.stdout());

        Cli.Result missing = psql("SELECT pgml.transform('text-classification', inputs => ARRAY['x'])");
        assertEquals(1, missing.exitCode(), missing.all());
        assertTrue(missing.stderr().contains("distilbert/distilbert-base-uncased-finetuned-sst-2-english"), missing.all());
    }

    @Test
    void generationAloneOverRowsAndStreamed() throws Exception {
        String lm = "'{\"task\": \"text-generation\", \"model\": \"" + TinyTaskModels.CAUSAL_LM + "\"}'";
        // the tiny decoder counts on: each number word continues with the next, "ten" ends
        Cli.Result s0 = psql("SELECT pgml.transform(" + lm + ", inputs => ARRAY['one two'])");
        assertEquals(0, s0.exitCode(), s0.all());
        assertEquals("[[{\"generated_text\": \"one two three four five six seven eight nine ten\"}]]", s0.stdout().trim());

        Cli.Result setup = psql("DROP TABLE IF EXISTS psql_prompts; CREATE TABLE psql_prompts (id int, prompt text); "
                + "INSERT INTO psql_prompts VALUES (1, 'go'), (2, 'la'), (3, 'hi')");
        assertEquals(0, setup.exitCode(), setup.all());
        Cli.Result s2 = psql("SELECT id, pgml.transform(" + lm + ", '{\"return_full_text\": false}', ARRAY[prompt]) FROM psql_prompts ORDER BY id");
        assertEquals(0, s2.exitCode(), s2.all());
        assertEquals(List.of("1|[[{\"generated_text\": \" left down\"}]]", "2|[[{\"generated_text\": \" la la la di\"}]]",
                "3|[[{\"generated_text\": \" there\"}]]"), List.of(s2.stdout().trim().split("\n")));

        Cli.Result stream = psql("SELECT * FROM pgml.transform_stream(" + lm + ", '{}', 'six')");
        assertEquals(0, stream.exitCode(), stream.all());
        assertEquals(List.of("[\" seven\"]", "[\" eight\"]", "[\" nine\"]", "[\" ten\"]"), List.of(stream.stdout().trim().split("\n")));

        Cli.Result translated = psql("SELECT pgml.transform('{\"task\": \"translation_en_to_fr\", \"model\": \"" + TinyTaskModels.SEQ2SEQ
                + "\"}'::jsonb, inputs => ARRAY['the dog eats fish'])");
        assertEquals(0, translated.exitCode(), translated.all());
        assertEquals("[{\"translation_text\": \"le chien mange poisson\"}]", translated.stdout().trim());

        Cli.Result bad = psql("SELECT pgml.transform(" + lm + ", '{\"colour\": 1}', ARRAY['one'])");
        assertEquals(1, bad.exitCode(), bad.all());
        assertTrue(bad.stderr().contains("colour"), bad.all());
    }

    /** pgml.generate with a remote chat model (a /v1/chat/completions stand-in), alone and over rows, through psql. */
    @Test
    void generateWithARemoteChatModel() throws Exception {
        try (io.pgmlsidecar.it.support.EndpointStandIn chat = new io.pgmlsidecar.it.support.EndpointStandIn()) {
            chat.answer(r -> {
                String content = r.body().replaceAll("(?s).*\"content\":\\s*\"([^\"]*)\".*", "$1");
                return io.pgmlsidecar.it.support.EndpointStandIn.Reply.json("{\"choices\": [{\"index\": 0, \"message\": "
                        + "{\"role\": \"assistant\", \"content\": \"re: " + content + "\"}}]}");
            });
            Cli.Result setup = psql("DELETE FROM pgml.remote_models WHERE name = 'psql-chat'; INSERT INTO pgml.remote_models "
                    + "(name, provider, url, model) VALUES ('psql-chat', 'openai', '" + chat.url("/v1") + "', 'llama'); "
                    + "DROP TABLE IF EXISTS psql_prompts; CREATE TABLE psql_prompts (id int, p text); "
                    + "INSERT INTO psql_prompts VALUES (1, 'one'), (2, 'two')");
            assertEquals(0, setup.exitCode(), setup.all());
            Cli.Result alone = psql("SELECT pgml.generate('psql-chat', 'hello')");
            assertEquals("re: hello", alone.stdout().trim(), alone.all());
            Cli.Result rows = psql("SELECT id, pgml.generate('psql-chat', p) FROM psql_prompts ORDER BY id");
            assertEquals("1|re: one\n2|re: two", rows.stdout().trim(), rows.all());
        }
    }
}
