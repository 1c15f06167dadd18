package io.pgmlsidecar.ml.tabular;

import io.pgmlsidecar.ml.tabular.datasets.ColumnDef;
import io.pgmlsidecar.ml.tabular.datasets.LoadedTable;
import io.pgmlsidecar.ml.tabular.datasets.PgmlDatasets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetsTest {

    @Test
    void toySetsHavePostgresMlShapes() {
        record Expect(String name, String table, int rows, int cols, String last) { }
        for (Expect e : List.of(new Expect("iris", "pgml.iris", 150, 5, "target INT4"),
                new Expect("digits", "pgml.digits", 1797, 2, "target SMALLINT"),
                new Expect("breast_cancer", "pgml.breast_cancer", 569, 31, "malignant BOOLEAN"),
                new Expect("diabetes", "pgml.diabetes", 442, 11, "target FLOAT4"),
                new Expect("wine", "pgml.wine", 178, 14, "target INT4"),
                new Expect("linnerud", "pgml.linnerud", 20, 6, "pulse FLOAT4"))) {
            LoadedTable t = PgmlDatasets.load(e.name(), null);
            assertEquals(e.table(), t.tableName());
            assertEquals(e.rows(), t.rowCount(), e.name());
            assertEquals(e.cols(), t.columns().size(), e.name());
            assertEquals(e.last(), t.columns().get(e.cols() - 1).ddl(), e.name());
            for (Object[] r : t.rows()) {
                assertEquals(e.cols(), r.length);
            }
        }
        LoadedTable d = PgmlDatasets.load("digits", 3L);
        assertEquals(3, d.rowCount());
        assertEquals("CREATE TABLE pgml.digits (image SMALLINT[][], target SMALLINT)", d.createTableSql());
        assertEquals(8, ((short[][]) d.rows().get(0)[0]).length);
        LoadedTable bc = PgmlDatasets.load("breast_cancer", 1L);
        assertEquals("\"mean radius\" FLOAT4", bc.columns().get(0).ddl());
        assertEquals(Boolean.TRUE, bc.rows().get(0)[30], "the first breast_cancer row is malignant");
        // scikit-learn's load_diabetes().data[0] (scaled, as PostgresML's pgml.diabetes), and its target
        double[] sklearnFirst = {0.03807591, 0.05068012, 0.06169621, 0.02187239, -0.0442235, -0.03482076, -0.04340085, -0.00259226,
                0.01990749, -0.01764613};
        Object[] first = PgmlDatasets.load("diabetes", 1L).rows().get(0);
        for (int k = 0; k < sklearnFirst.length; k++) {
            assertEquals(sklearnFirst[k], (Float) first[k], 2e-7, "diabetes feature " + k);
        }
        assertEquals(151f, (Float) first[10]);
        LoadedTable wine = PgmlDatasets.load("wine", 1L);
        assertEquals("\"od280/od315_of_diluted_wines\" FLOAT4", wine.columns().get(11).ddl());
        assertEquals("hue", wine.columns().get(9).name());
        assertEquals(1.04f, wine.rows().get(0)[9], "hue holds the hue (PostgresML swaps it with color_intensity)");
        assertEquals(5.64f, wine.rows().get(0)[10]);
        assertThrows(TabularException.class, () -> PgmlDatasets.load("titanic", null));
    }

    @Test
    void localCsvAndJsonLines(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("people.csv");
        Files.writeString(csv, "name,age,score,member\n\"Smith, J\",41,3.5,true\nLee,,4,false\n\"Quote \"\"Q\"\"\",7,1e2,true\n");
        LoadedTable t = PgmlDatasets.loadFile(csv, null, null, null);
        assertEquals("pgml.people", t.tableName());
        assertEquals(List.of(new ColumnDef("name", "TEXT"), new ColumnDef("age", "INT8"), new ColumnDef("score", "FLOAT8"),
                new ColumnDef("member", "BOOLEAN")), t.columns());
        assertEquals("Smith, J", t.rows().get(0)[0]);
        assertNull(t.rows().get(1)[1]);
        assertEquals("Quote \"Q\"", t.rows().get(2)[0]);
        assertEquals(100.0, t.rows().get(2)[2]);

        Path jl = dir.resolve("events.jsonl");
        Files.writeString(jl, "{\"id\": 1, \"v\": 1.5, \"tags\": [\"a\"], \"ok\": true}\n\n{\"id\": 2, \"v\": 2, \"note\": \"x\"}\n");
        LoadedTable j = PgmlDatasets.loadFile(jl, "my events", null, 10L);
        assertEquals("pgml.\"my events\"", j.tableName());
        assertEquals(List.of(new ColumnDef("id", "INT8"), new ColumnDef("v", "FLOAT8"), new ColumnDef("tags", "JSONB"),
                new ColumnDef("ok", "BOOLEAN"), new ColumnDef("note", "TEXT")), j.columns());
        assertEquals("[\"a\"]", j.rows().get(0)[2]);
        assertNull(j.rows().get(1)[3]);
        assertEquals(2.0, j.rows().get(1)[1]);
        TabularException missing = assertThrows(TabularException.class, () -> PgmlDatasets.loadFile(dir.resolve("nope.csv"), null, null, null));
        assertTrue(missing.getMessage().contains("does not exist"));
    }
}
