package dev.kelp.operator.report;

/** A report body the operator cannot take; the message says what is wrong, for the 400 answer. */
public class InvalidReportException extends Exception {

    public InvalidReportException(String message) {
        super(message);
    }
}
