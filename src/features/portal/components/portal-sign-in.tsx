import { useRef, useState } from 'react';
import { Button, Notice, Segmented, TextField } from '@/components/seeker-ui';
import { useT } from '@/i18n';
import { sendPortalSignInLink } from '../api/send-sign-in-link';
import { sendPortalCode, toE164, verifyPortalCode, type CodeError } from '../api/phone-sign-in';
import { portalClient } from '../api/session';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** One request at a time: pending while it runs, its error (or nothing) after. */
function useAction<A, E>(fn: (arg: A) => Promise<void>, asError: (e: unknown) => E) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<E | null>(null);
  const seq = useRef(0);
  const run = (arg: A, onSuccess?: () => void) => {
    const n = ++seq.current;
    setPending(true);
    setError(null);
    fn(arg).then(
      () => {
        if (n !== seq.current) return;
        setPending(false);
        onSuccess?.();
      },
      (e: unknown) => {
        if (n !== seq.current) return;
        setPending(false);
        setError(asError(e));
      },
    );
  };
  const reset = () => {
    seq.current++;
    setPending(false);
    setError(null);
  };
  return { pending, error, run, reset };
}

const codeError = (e: unknown): CodeError | 'wrong' => (e === 'wait' || e === 'wrong' ? e : 'failed');

/** A code texted to the seeker's phone, then typed in: for seekers without an email they read. */
function PhoneSignIn() {
  const { t } = useT('portal');
  const send = useAction(sendPortalCode, codeError);
  const verify = useAction(verifyPortalCode, codeError);
  const [phone, setPhone] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [invalid, setInvalid] = useState(false);

  const sendCode = (e?: React.FormEvent) => {
    e?.preventDefault();
    const number = sentTo ?? toE164(phone);
    if (!number) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    verify.reset();
    send.run(number, () => setSentTo(number));
  };
  const signIn = (e: React.FormEvent) => {
    e.preventDefault();
    if (!/^[0-9]{6}$/.test(code.trim())) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    verify.run({ phone: sentTo!, token: code.trim() });
  };
  const problem = verify.error ?? send.error;

  if (!sentTo) {
    return (
      <form onSubmit={sendCode} noValidate className="stack">
        <p>{t('phoneIntro')}</p>
        <TextField
          label={t('phone')}
          type="tel"
          autoComplete="tel"
          inputMode="tel"
          required
          value={phone}
          onChange={(e) => {
            setPhone(e.currentTarget.value);
            setInvalid(false);
          }}
          error={invalid ? t('phoneInvalid') : undefined}
        />
        {problem && (
          <Notice tone="red" role="alert">
            {problem === 'wait' ? t('codeWait') : t('codeFailed')}
          </Notice>
        )}
        <Button type="submit" loading={send.pending} full>
          {t('sendCode')}
        </Button>
      </form>
    );
  }
  return (
    <form onSubmit={signIn} noValidate className="stack">
      <Notice tone="green" role="status">
        {t('codeSent', { phone: sentTo })}
      </Notice>
      <TextField
        label={t('code')}
        autoComplete="one-time-code"
        inputMode="numeric"
        maxLength={6}
        required
        value={code}
        onChange={(e) => {
          setCode(e.currentTarget.value);
          setInvalid(false);
        }}
        error={invalid ? t('codeInvalid') : undefined}
      />
      {problem && (
        <Notice tone="red" role="alert">
          {problem === 'wrong' ? t('codeWrong') : problem === 'wait' ? t('codeWait') : t('codeFailed')}
        </Notice>
      )}
      <Button type="submit" loading={verify.pending} full>
        {t('verifyCode')}
      </Button>
      <Button variant="subtle" onClick={() => sendCode()} loading={send.pending}>
        {t('newCode')}
      </Button>
      <button
        type="button"
        className="link-btn"
        onClick={() => {
          setSentTo(null);
          setCode('');
          send.reset();
          verify.reset();
        }}
      >
        {t('otherNumber')}
      </button>
    </form>
  );
}

/**
 * Seekers never have a password: a link by email, or a code by text. The
 * heading, the switch and the email form are what seeker.html's static shell
 * draws (same classes, same sizes), so nothing moves when React takes over.
 * The Supabase client loads as soon as the person starts (focus or a tap in
 * the card), so it is there when they send.
 */
export function PortalSignIn() {
  const { t } = useT('portal');
  const [method, setMethod] = useState<'email' | 'text'>('email');
  const send = useAction(sendPortalSignInLink, () => true);
  const [email, setEmail] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const warmUp = () => void portalClient().catch(() => {});

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const value = email.trim();
    if (!EMAIL.test(value)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    send.run(value, () => setSentTo(value));
  };

  return (
    <section className="card stack" onFocus={warmUp} onPointerDown={warmUp}>
      <h1 className="h1">{t('signInTitle')}</h1>
      <Segmented
        label={t('howToSignIn')}
        value={method}
        onChange={setMethod}
        options={[
          { value: 'email', label: t('byEmail') },
          { value: 'text', label: t('byText') },
        ]}
      />
      {method === 'text' ? (
        <PhoneSignIn />
      ) : sentTo ? (
        <Notice tone="green" title={t('linkSent')} role="status">
          {t('linkSentBody', { email: sentTo })}
        </Notice>
      ) : (
        <form onSubmit={submit} noValidate className="stack">
          <p>{t('signInIntro')}</p>
          <TextField
            label={t('email')}
            type="email"
            autoComplete="email"
            inputMode="email"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={invalid ? t('emailInvalid') : undefined}
          />
          {send.error && (
            <Notice tone="red" role="alert">
              {t('sendFailed')}
            </Notice>
          )}
          <Button type="submit" loading={send.pending} full>
            {t('sendLink')}
          </Button>
        </form>
      )}
    </section>
  );
}
