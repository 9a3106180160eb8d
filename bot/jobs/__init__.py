"""What all jobs share: how an account's job runs (`runner`) and the one place every job is
registered on PTB's JobQueue (`schedule`). The jobs themselves live with their feature."""
