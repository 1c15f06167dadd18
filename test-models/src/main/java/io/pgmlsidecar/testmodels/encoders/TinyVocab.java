package io.pgmlsidecar.testmodels.encoders;

import io.pgmlsidecar.testmodels.WordPieceTokenizer;
import java.util.List;

/**
 * The lower-cased WordPiece vocabulary shared by the tiny encoder models. A few words exist only as
 * pieces ({@code johnson} = john ##son, {@code berlin} = ber ##lin) so that sub-word handling shows.
 */
public final class TinyVocab {
    public static final List<String> WORDS = List.of(
            "the", "a", "is", "was", "this", "example", "of", "in", "and", ".", "?", "!", ",",
            "good", "great", "bad", "awful", "movie", "film",
            "john", "##son", "smith", "lives", "new", "york", "paris", "ber", "##lin", "london",
            "what", "where", "who", "capital", "city", "france", "river",
            "team", "won", "game", "election", "vote", "sport", "politics");

    public static final WordPieceTokenizer TOKENIZER = new WordPieceTokenizer(WORDS, true);

    private TinyVocab() {}

    public static int size() {
        return TOKENIZER.size();
    }

    public static int id(String token) {
        return TOKENIZER.id(token);
    }
}
