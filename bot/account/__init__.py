"""The accounts: their credit, their lines, and the line each chat sends from (`/from`)."""
