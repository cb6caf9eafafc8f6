package io.prunesweep;

/**
 * Bad input from a user: a file, a config value, a dataset entry. The message names the thing and
 * says what is wrong (and, where possible, what to do); the CLI prints it as one line without a
 * stack trace.
 */
public class InputException extends RuntimeException {
    public InputException(String message) {
        super(message);
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
