import { describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import { NotesList, type NoteView } from '@/features/referrals/components/notes-list';
import { AccessError, accessError } from '@/lib/errors';
import { render, deferred } from './render';

const notes: NoteView[] = [
  {
    id: 'n1',
    body: 'Called Sam, left a message.',
    authorName: 'Helen H.',
    createdAt: '2026-11-20T10:00:00Z',
    isMine: true,
  },
  {
    id: 'n2',
    body: 'Pantry open on Saturdays.',
    authorName: 'Clara C.',
    createdAt: '2026-11-21T10:00:00Z',
    isMine: false,
  },
];

describe('NotesList', () => {
  it('says what to do when there are no notes', () => {
    render(<NotesList notes={[]} onAdd={vi.fn()} onDelete={vi.fn()} />);
    expect(screen.getByText(/No notes yet/)).toHaveTextContent('Use Add Note');
  });

  it('shows a loading state and a load error', () => {
    const { rerender } = render(<NotesList notes={undefined} loading onAdd={vi.fn()} onDelete={vi.fn()} />);
    expect(screen.getByLabelText('Loading notes')).toBeInTheDocument();
    rerender(
      <NotesList
        notes={undefined}
        loadError="You don't have access to these notes."
        onAdd={vi.fn()}
        onDelete={vi.fn()}
      />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent("You don't have access to these notes.");
  });

  it('lists notes with their author, and a trash button only on my own', () => {
    render(<NotesList notes={notes} onAdd={vi.fn()} onDelete={vi.fn()} />);
    const items = within(screen.getByRole('list', { name: 'Notes' })).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent('Helen H.');
    expect(within(items[0]!).getByRole('button', { name: /Delete note/ })).toBeInTheDocument();
    expect(within(items[1]!).queryByRole('button', { name: /Delete note/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /edit/i })).not.toBeInTheDocument();
  });

  it('adds a note, refusing an empty one', async () => {
    const onAdd = vi.fn().mockResolvedValue(undefined);
    const { user } = render(<NotesList notes={[]} onAdd={onAdd} onDelete={vi.fn()} />);
    await user.click(screen.getByRole('button', { name: 'Add Note' }));
    await user.click(screen.getByRole('button', { name: 'Save note' }));
    expect(await screen.findByText('Write the note first')).toBeInTheDocument();
    expect(onAdd).not.toHaveBeenCalled();
    await user.type(screen.getByRole('textbox', { name: 'New note' }), 'Sam starts on Monday');
    await user.click(screen.getByRole('button', { name: 'Save note' }));
    expect(onAdd).toHaveBeenCalledWith('Sam starts on Monday');
    expect(screen.queryByRole('textbox', { name: 'New note' })).not.toBeInTheDocument();
  });

  it('keeps the text and shows the server error when adding fails', async () => {
    // what createNote throws when the database refuses the insert
    const onAdd = vi
      .fn()
      .mockRejectedValue(
        accessError('notes', { code: '42501', message: 'new row violates row-level security policy' }),
      );
    const { user } = render(<NotesList notes={[]} onAdd={onAdd} onDelete={vi.fn()} />);
    await user.click(screen.getByRole('button', { name: 'Add Note' }));
    await user.type(screen.getByRole('textbox', { name: 'New note' }), 'hello');
    await user.click(screen.getByRole('button', { name: 'Save note' }));
    expect(await screen.findByRole('alert')).toHaveTextContent("You don't have access to these notes.");
    expect(screen.getByRole('textbox', { name: 'New note' })).toHaveValue('hello');
  });

  it('asks for confirmation before deleting, and can be cancelled', async () => {
    const onDelete = vi.fn();
    const { user } = render(<NotesList notes={notes} onAdd={vi.fn()} onDelete={onDelete} />);
    await user.click(screen.getByRole('button', { name: /Delete note "Called Sam/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete this note?' });
    await user.click(within(dialog).getByRole('button', { name: 'Keep note' }));
    expect(onDelete).not.toHaveBeenCalled();
  });

  it('deletes after confirmation and shows a failure in the dialog', async () => {
    const attempt = deferred();
    const onDelete = vi.fn().mockReturnValueOnce(attempt.promise);
    const { user } = render(<NotesList notes={notes} onAdd={vi.fn()} onDelete={onDelete} />);
    await user.click(screen.getByRole('button', { name: /Delete note "Called Sam/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete this note?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete note' }));
    expect(onDelete).toHaveBeenCalledWith('n1');
    attempt.reject(new AccessError('note')); // what deleteNote throws when no row was deleted
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      "You can't delete this note: only the person who wrote it can.",
    );
  });
});
