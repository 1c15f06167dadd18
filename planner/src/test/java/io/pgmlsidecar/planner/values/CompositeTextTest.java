package io.pgmlsidecar.planner.values;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CompositeTextTest {

    @Test
    void splitsFieldsAsPostgresqlPrintsThem() {
        assertEquals(Arrays.asList("1", "a b", null, "say \"hi\"", "", "{1,2}", "back\\slash"),
                CompositeText.parse("(1,\"a b\",,\"say \"\"hi\"\"\",\"\",\"{1,2}\",\"back\\\\slash\")"));
        assertEquals(Arrays.asList((String) null), CompositeText.parse("()"));
        assertEquals(Arrays.asList("5.1", "3.5"), CompositeText.parse("(5.1,3.5)"));
    }
}
