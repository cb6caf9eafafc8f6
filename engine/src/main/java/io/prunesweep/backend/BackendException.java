package io.prunesweep.backend;

/**
 * The numerical backend cannot be trusted on this machine: no setting of the ladder computed
 * convolutions correctly. Never caught to carry on; the CLI prints it as one line and exits 3.
 */
public final class BackendException extends RuntimeException {
    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
