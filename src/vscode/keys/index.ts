export { CredentialStore, HasKeyContext, InvalidCredentialsError, type StoredCredentials } from './credentialStore';
export { KeyBindingWatch } from './keyBindingWatch';
export { KeyCommands } from './keyCommands';
