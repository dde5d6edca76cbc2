export { CredentialStore, HasKeyContext, InvalidCredentialsError } from './credentialStore';
export { KeyCommands } from './keyCommands';
