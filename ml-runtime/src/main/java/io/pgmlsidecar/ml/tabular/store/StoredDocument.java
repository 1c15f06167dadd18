package io.pgmlsidecar.ml.tabular.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A stored model's document: one CBOR map (RFC 8949), written field by field by a {@link StateWriter}
 * and read back whole into a {@link StateReader}. CBOR keeps doubles bit-exact (NaN included), carries
 * byte strings for libraries' own model formats, and any language's CBOR library can read it.
 */
public final class StoredDocument {
    private static final CBORFactory CBOR = CBORFactory.builder()
            // a large forest is tens of MB of numbers; a document is read only from pgml.files
            .streamReadConstraints(StreamReadConstraints.builder().maxDocumentLength(-1).maxStringLength(Integer.MAX_VALUE)
                    .maxNestingDepth(64).build())
            .build();

    private StoredDocument() {
    }

    public static byte[] write(Consumer<StateWriter> body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        try (JsonGenerator g = CBOR.createGenerator(bytes)) {
            g.writeStartObject();
            body.accept(new StateWriter(g));
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @SuppressWarnings("unchecked")
    public static StateReader read(InputStream in, String what) throws IOException {
        try (JsonParser p = CBOR.createParser(in)) {
            Object root = StateTree.parse(p);
            if (!(root instanceof Map<?, ?> m)) {
                throw new IOException("the model document is not a map");
            }
            return new StateReader((Map<String, Object>) m, what);
        }
    }
}
