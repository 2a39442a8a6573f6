"""Pure mathematics: no files, no network, no terminal. Arrays and frames in, arrays and frames out."""
