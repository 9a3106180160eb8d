"""Admin commands: routes of incoming SMS to chats, and users' roles."""
