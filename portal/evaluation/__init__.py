"""Pre- and post-tests of knowledge and feedback forms: question banks, attempts, results."""
