-- Supabase Vault 0.3's SQL surface (github.com/supabase/vault): secrets are
-- stored encrypted in vault.secrets and read decrypted through the
-- vault.decrypted_secrets view. Hosted Vault encrypts with a key that never
-- enters the database (libsodium, key from the server); this local stand-in
-- encrypts with pgcrypto and keeps its key in vault._root_key, readable by
-- superusers only: enough for the same SQL to work, never a secret store.
\echo Use "CREATE EXTENSION supabase_vault" to load this file. \quit

create table vault._root_key (key text not null);
revoke all on vault._root_key from public;
insert into vault._root_key values (encode(@extschema:pgcrypto@.gen_random_bytes(32), 'hex'));

create table vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea default @extschema:pgcrypto@.gen_random_bytes(16),
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp
);
create unique index secrets_name_idx on vault.secrets (name) where name is not null;
comment on table vault.secrets is 'Table with encrypted `secret` column for storing sensitive information on disk.';

create function vault._crypto_aead_det_encrypt(message text)
returns text
language sql
security definer
set search_path = ''
as $$
  select encode(@extschema:pgcrypto@.pgp_sym_encrypt(message, (select key from vault._root_key limit 1)), 'base64')
$$;

create function vault._crypto_aead_det_decrypt(ciphertext text)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select @extschema:pgcrypto@.pgp_sym_decrypt(decode(ciphertext, 'base64'), (select key from vault._root_key limit 1))
$$;

create view vault.decrypted_secrets as
  select s.id, s.name, s.description, s.secret,
         vault._crypto_aead_det_decrypt(s.secret) as decrypted_secret,
         s.key_id, s.nonce, s.created_at, s.updated_at
    from vault.secrets s;

create function vault.create_secret(new_secret text, new_name text default null, new_description text default '',
                                    new_key_id uuid default null)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid;
begin
  insert into vault.secrets (secret, name, description, key_id)
  values (vault._crypto_aead_det_encrypt(new_secret), new_name, coalesce(new_description, ''), new_key_id)
  returning id into v_id;
  return v_id;
end
$$;

create function vault.update_secret(secret_id uuid, new_secret text default null, new_name text default null,
                                    new_description text default null, new_key_id uuid default null)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  update vault.secrets s
     set secret = coalesce(vault._crypto_aead_det_encrypt(new_secret), s.secret),
         name = coalesce(new_name, s.name),
         description = coalesce(new_description, s.description),
         key_id = coalesce(new_key_id, s.key_id),
         updated_at = now()
   where s.id = secret_id;
end
$$;

-- As the platform grants them: the API roles never reach the vault.
revoke all on all tables in schema vault from public, anon, authenticated;
revoke all on all functions in schema vault from public, anon, authenticated;
grant usage on schema vault to postgres, service_role;
grant select, delete on vault.secrets, vault.decrypted_secrets to postgres, service_role;
grant execute on function vault.create_secret(text, text, text, uuid), vault.update_secret(uuid, text, text, text, uuid)
  to postgres, service_role;
