package dev.mkto.cli;

import java.io.Console;
import java.util.Optional;

/** Asks a person for a value without echoing it: secrets, passphrases, the admin credential. */
public interface Prompter {

    /** The answer, or empty when there is nobody to ask (no terminal). */
    Optional<char[]> secret(String prompt);

    /** Through the process's console; empty when standard input or output is not a terminal. */
    static Prompter console() {
        return prompt -> {
            Console c = System.console();
            if (c == null) {
                return Optional.empty();
            }
            char[] answer = c.readPassword("%s", prompt);
            return Optional.ofNullable(answer);
        };
    }

    /** Nobody to ask. */
    static Prompter none() {
        return prompt -> Optional.empty();
    }
}
