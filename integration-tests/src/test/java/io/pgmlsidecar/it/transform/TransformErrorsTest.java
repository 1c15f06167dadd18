package io.pgmlsidecar.it.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/** pgml.transform / transform_stream failures reach the client as fitting errors and leave the session usable. */
class TransformErrorsTest {

    private static PSQLException fails(Statement s, String sql) {
        return (PSQLException) assertThrows(SQLException.class, () -> {
            try (ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    rs.getString(1);
                }
            }
        });
    }

    private static void stillUsable(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT 41 + 1")) {
            assertTrue(rs.next());
            assertEquals(42, rs.getInt(1));
        }
    }

    @Test
    void missingModelNamesTheModelThePlacesAndTheDownloadCommand() throws Exception {
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            PSQLException e = fails(s, "SELECT pgml.transform('{\"task\": \"text-classification\", \"model\": \"acme/no-such-model\"}'::jsonb, "
                    + "inputs => ARRAY['hello'])");
            assertEquals("42704", e.getSQLState());
            String all = e.getServerErrorMessage().getMessage() + " " + e.getServerErrorMessage().getDetail() + " "
                    + e.getServerErrorMessage().getHint();
            assertTrue(all.contains("acme/no-such-model"), all);
            assertTrue(all.contains(TestCluster.modelsDir().toString()), all);
            assertTrue(all.contains("download acme/no-such-model"), all);
            stillUsable(s);

            // the task's default model is looked for when the task names none
            PSQLException d = fails(s, "SELECT pgml.transform('text-classification', inputs => ARRAY['hello'])");
            assertEquals("42704", d.getSQLState());
            assertTrue(d.getServerErrorMessage().getMessage().contains("distilbert/distilbert-base-uncased-finetuned-sst-2-english"),
                    d.getServerErrorMessage().getMessage());
            stillUsable(s);
        }
    }

    @Test
    void unknownTaskBadJsonAndStreamingAnEncoderTask() throws Exception {
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            PSQLException unknown = fails(s, "SELECT pgml.transform('image-to-pancakes', inputs => ARRAY['x'])");
            assertEquals("0A000", unknown.getSQLState());
            assertTrue(unknown.getServerErrorMessage().getMessage().contains("image-to-pancakes"));
            stillUsable(s);

            PSQLException badArgs = fails(s, "SELECT pgml.transform('text-classification', args => '[1, 2]', inputs => ARRAY['x'])");
            assertEquals("22023", badArgs.getSQLState());
            stillUsable(s);

            PSQLException noTaskKey = fails(s, "SELECT pgml.transform('{\"model\": \"x/y\"}'::jsonb, inputs => ARRAY['x'])");
            assertEquals("22023", noTaskKey.getSQLState());
            stillUsable(s);

            PSQLException stream = fails(s, "SELECT * FROM pgml.transform_stream('text-classification', '{}', 'hello')");
            assertEquals("0A000", stream.getSQLState());
            assertTrue(stream.getServerErrorMessage().getMessage().contains("generative"));
            stillUsable(s);

            PSQLException chat = fails(s, "SELECT pgml.transform('conversational', inputs => ARRAY['hi'])");
            assertEquals("22P02", chat.getSQLState(), chat.getMessage()); // as PostgreSQL says of bad jsonb input
            stillUsable(s);
        }
    }

    @Test
    void whitelistAppliesToLocalModelsToo() throws Exception {
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            s.execute("SET pgml.huggingface_whitelist = 'acme/allowed'");
            try {
                PSQLException e = fails(s, "SELECT pgml.transform('{\"task\": \"text-classification\", \"model\": \"acme/other\"}'::jsonb, "
                        + "inputs => ARRAY['x'])");
                assertEquals("42501", e.getSQLState());
                PSQLException dflt = fails(s, "SELECT pgml.transform('text-classification', inputs => ARRAY['x'])");
                assertEquals("42501", dflt.getSQLState());
            } finally {
                s.execute("RESET pgml.huggingface_whitelist");
            }
            stillUsable(s);
        }
    }
}
