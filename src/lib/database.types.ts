export type Json =
  | string
  | number
  | boolean
  | null
  | { [key: string]: Json | undefined }
  | Json[]

export type Database = {
  // Allows to automatically instantiate createClient with right options
  // instead of createClient<Database, { PostgrestVersion: 'XX' }>(URL, KEY)
  __InternalSupabase: {
    PostgrestVersion: "12.0.2"
  }
  public: {
    Tables: {
      directory_organizations: {
        Row: {
          created_at: string
          description: string
          email: string | null
          id: string
          name: string
          updated_at: string
          website: string | null
        }
        Insert: {
          created_at?: string
          description?: string
          email?: string | null
          id: string
          name: string
          updated_at?: string
          website?: string | null
        }
        Update: {
          created_at?: string
          description?: string
          email?: string | null
          id?: string
          name?: string
          updated_at?: string
          website?: string | null
        }
        Relationships: []
      }
      goals: {
        Row: {
          created_at: string
          created_by: string | null
          description: string
          id: string
          seeker_id: string
          title: string
          updated_at: string
        }
        Insert: {
          created_at?: string
          created_by?: string | null
          description?: string
          id?: string
          seeker_id: string
          title: string
          updated_at?: string
        }
        Update: {
          created_at?: string
          created_by?: string | null
          description?: string
          id?: string
          seeker_id?: string
          title?: string
          updated_at?: string
        }
        Relationships: [
          {
            foreignKeyName: "goals_created_by_fkey"
            columns: ["created_by"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "goals_seeker_id_fkey"
            columns: ["seeker_id"]
            isOneToOne: false
            referencedRelation: "seekers"
            referencedColumns: ["id"]
          },
        ]
      }
      notification_jobs: {
        Row: {
          actor_display_name: string
          actor_is_seeker: boolean
          actor_organization: string | null
          address: string | null
          channel: Database["public"]["Enums"]["notification_channel"]
          created_at: string
          delivery_error_code: string | null
          delivery_status: string | null
          delivery_updated_at: string | null
          event: Database["public"]["Enums"]["notification_event"]
          from_status: Database["public"]["Enums"]["referral_status"] | null
          id: string
          idempotency_key: string
          language: Database["public"]["Enums"]["language_code"]
          last_error: string | null
          locked_until: string | null
          max_tries: number
          next_attempt_at: string
          provider_message_id: string | null
          recipient_kind: Database["public"]["Enums"]["notification_recipient_kind"]
          recipient_name: string
          recipient_seeker_id: string | null
          recipient_user_id: string | null
          referral_id: string | null
          seeker_event_id: number | null
          sent_at: string | null
          state: Database["public"]["Enums"]["notification_state"]
          to_status: Database["public"]["Enums"]["referral_status"] | null
          tries: number
          updated_at: string
        }
        Insert: {
          actor_display_name?: string
          actor_is_seeker?: boolean
          actor_organization?: string | null
          address?: string | null
          channel: Database["public"]["Enums"]["notification_channel"]
          created_at?: string
          delivery_error_code?: string | null
          delivery_status?: string | null
          delivery_updated_at?: string | null
          event: Database["public"]["Enums"]["notification_event"]
          from_status?: Database["public"]["Enums"]["referral_status"] | null
          id?: string
          idempotency_key?: string
          language?: Database["public"]["Enums"]["language_code"]
          last_error?: string | null
          locked_until?: string | null
          max_tries?: number
          next_attempt_at?: string
          provider_message_id?: string | null
          recipient_kind: Database["public"]["Enums"]["notification_recipient_kind"]
          recipient_name?: string
          recipient_seeker_id?: string | null
          recipient_user_id?: string | null
          referral_id?: string | null
          seeker_event_id?: number | null
          sent_at?: string | null
          state?: Database["public"]["Enums"]["notification_state"]
          to_status?: Database["public"]["Enums"]["referral_status"] | null
          tries?: number
          updated_at?: string
        }
        Update: {
          actor_display_name?: string
          actor_is_seeker?: boolean
          actor_organization?: string | null
          address?: string | null
          channel?: Database["public"]["Enums"]["notification_channel"]
          created_at?: string
          delivery_error_code?: string | null
          delivery_status?: string | null
          delivery_updated_at?: string | null
          event?: Database["public"]["Enums"]["notification_event"]
          from_status?: Database["public"]["Enums"]["referral_status"] | null
          id?: string
          idempotency_key?: string
          language?: Database["public"]["Enums"]["language_code"]
          last_error?: string | null
          locked_until?: string | null
          max_tries?: number
          next_attempt_at?: string
          provider_message_id?: string | null
          recipient_kind?: Database["public"]["Enums"]["notification_recipient_kind"]
          recipient_name?: string
          recipient_seeker_id?: string | null
          recipient_user_id?: string | null
          referral_id?: string | null
          seeker_event_id?: number | null
          sent_at?: string | null
          state?: Database["public"]["Enums"]["notification_state"]
          to_status?: Database["public"]["Enums"]["referral_status"] | null
          tries?: number
          updated_at?: string
        }
        Relationships: [
          {
            foreignKeyName: "notification_jobs_recipient_seeker_id_fkey"
            columns: ["recipient_seeker_id"]
            isOneToOne: false
            referencedRelation: "seekers"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "notification_jobs_referral_id_fkey"
            columns: ["referral_id"]
            isOneToOne: false
            referencedRelation: "referrals"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "notification_jobs_seeker_event_id_fkey"
            columns: ["seeker_event_id"]
            isOneToOne: false
            referencedRelation: "seeker_events"
            referencedColumns: ["id"]
          },
        ]
      }
      profiles: {
        Row: {
          created_at: string
          first_name: string
          id: string
          last_name: string
          preferred_language: Database["public"]["Enums"]["language_code"]
          updated_at: string
        }
        Insert: {
          created_at?: string
          first_name?: string
          id: string
          last_name?: string
          preferred_language?: Database["public"]["Enums"]["language_code"]
          updated_at?: string
        }
        Update: {
          created_at?: string
          first_name?: string
          id?: string
          last_name?: string
          preferred_language?: Database["public"]["Enums"]["language_code"]
          updated_at?: string
        }
        Relationships: []
      }
      program_members: {
        Row: {
          joined_at: string
          program_id: string
          user_id: string
        }
        Insert: {
          joined_at?: string
          program_id: string
          user_id: string
        }
        Update: {
          joined_at?: string
          program_id?: string
          user_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "program_members_program_id_fkey"
            columns: ["program_id"]
            isOneToOne: false
            referencedRelation: "programs"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "program_members_user_id_fkey"
            columns: ["user_id"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
        ]
      }
      program_reports: {
        Row: {
          created_at: string
          details: string
          id: string
          program_id: string
          reason: Database["public"]["Enums"]["program_report_reason"]
          reported_by: string | null
          reporter_name: string
          reporter_organization: string | null
          resolution_note: string
          resolved_at: string | null
          resolved_by: string | null
          status: Database["public"]["Enums"]["program_report_status"]
          updated_at: string
        }
        Insert: {
          created_at?: string
          details?: string
          id?: string
          program_id: string
          reason: Database["public"]["Enums"]["program_report_reason"]
          reported_by?: string | null
          reporter_name?: string
          reporter_organization?: string | null
          resolution_note?: string
          resolved_at?: string | null
          resolved_by?: string | null
          status?: Database["public"]["Enums"]["program_report_status"]
          updated_at?: string
        }
        Update: {
          created_at?: string
          details?: string
          id?: string
          program_id?: string
          reason?: Database["public"]["Enums"]["program_report_reason"]
          reported_by?: string | null
          reporter_name?: string
          reporter_organization?: string | null
          resolution_note?: string
          resolved_at?: string | null
          resolved_by?: string | null
          status?: Database["public"]["Enums"]["program_report_status"]
          updated_at?: string
        }
        Relationships: [
          {
            foreignKeyName: "program_reports_program_id_fkey"
            columns: ["program_id"]
            isOneToOne: false
            referencedRelation: "programs"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "program_reports_reported_by_fkey"
            columns: ["reported_by"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "program_reports_resolved_by_fkey"
            columns: ["resolved_by"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
        ]
      }
      program_sources: {
        Row: {
          content_hash: string
          imported_at: string
          location_id: string
          organization_id: string | null
          program_id: string
          service_at_location_id: string
          service_id: string
          taxonomy_term_ids: string[]
        }
        Insert: {
          content_hash: string
          imported_at?: string
          location_id: string
          organization_id?: string | null
          program_id: string
          service_at_location_id: string
          service_id: string
          taxonomy_term_ids?: string[]
        }
        Update: {
          content_hash?: string
          imported_at?: string
          location_id?: string
          organization_id?: string | null
          program_id?: string
          service_at_location_id?: string
          service_id?: string
          taxonomy_term_ids?: string[]
        }
        Relationships: [
          {
            foreignKeyName: "program_sources_organization_id_fkey"
            columns: ["organization_id"]
            isOneToOne: false
            referencedRelation: "directory_organizations"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "program_sources_program_id_fkey"
            columns: ["program_id"]
            isOneToOne: true
            referencedRelation: "programs"
            referencedColumns: ["id"]
          },
        ]
      }
      programs: {
        Row: {
          address: string
          capacity: Database["public"]["Enums"]["program_capacity"]
          capacity_updated_at: string | null
          capacity_updated_by: string | null
          capacity_wait: string | null
          created_at: string
          description: string
          email: string | null
          hours: string | null
          id: string
          latitude: number | null
          longitude: number | null
          name: string
          phone: string | null
          response_days: number
          service_categories: Database["public"]["Enums"]["service_category"][]
          team_sharing: boolean
          time_zone: string
          updated_at: string
          verified_at: string | null
          verified_by: string | null
          website: string | null
          what_to_bring: string | null
          zip: string
        }
        Insert: {
          address?: string
          capacity?: Database["public"]["Enums"]["program_capacity"]
          capacity_updated_at?: string | null
          capacity_updated_by?: string | null
          capacity_wait?: string | null
          created_at?: string
          description?: string
          email?: string | null
          hours?: string | null
          id?: string
          latitude?: number | null
          longitude?: number | null
          name: string
          phone?: string | null
          response_days?: number
          service_categories?: Database["public"]["Enums"]["service_category"][]
          team_sharing?: boolean
          time_zone?: string
          updated_at?: string
          verified_at?: string | null
          verified_by?: string | null
          website?: string | null
          what_to_bring?: string | null
          zip: string
        }
        Update: {
          address?: string
          capacity?: Database["public"]["Enums"]["program_capacity"]
          capacity_updated_at?: string | null
          capacity_updated_by?: string | null
          capacity_wait?: string | null
          created_at?: string
          description?: string
          email?: string | null
          hours?: string | null
          id?: string
          latitude?: number | null
          longitude?: number | null
          name?: string
          phone?: string | null
          response_days?: number
          service_categories?: Database["public"]["Enums"]["service_category"][]
          team_sharing?: boolean
          time_zone?: string
          updated_at?: string
          verified_at?: string | null
          verified_by?: string | null
          website?: string | null
          what_to_bring?: string | null
          zip?: string
        }
        Relationships: [
          {
            foreignKeyName: "programs_capacity_updated_by_fkey"
            columns: ["capacity_updated_by"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "programs_verified_by_fkey"
            columns: ["verified_by"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
        ]
      }
      referral_events: {
        Row: {
          actor_display_name: string
          actor_id: string | null
          actor_organization: string | null
          assignee_id: string | null
          assignee_name: string | null
          created_at: string
          event_type: Database["public"]["Enums"]["referral_event_type"]
          from_goal_id: string | null
          from_goal_title: string | null
          from_status: Database["public"]["Enums"]["referral_status"] | null
          id: number
          note_id: string | null
          referral_id: string
          seeker_id: string
          status_reason: string | null
          status_reason_text: string | null
          to_goal_id: string | null
          to_goal_title: string | null
          to_status: Database["public"]["Enums"]["referral_status"] | null
        }
        Insert: {
          actor_display_name: string
          actor_id?: string | null
          actor_organization?: string | null
          assignee_id?: string | null
          assignee_name?: string | null
          created_at?: string
          event_type: Database["public"]["Enums"]["referral_event_type"]
          from_goal_id?: string | null
          from_goal_title?: string | null
          from_status?: Database["public"]["Enums"]["referral_status"] | null
          id?: never
          note_id?: string | null
          referral_id: string
          seeker_id: string
          status_reason?: string | null
          status_reason_text?: string | null
          to_goal_id?: string | null
          to_goal_title?: string | null
          to_status?: Database["public"]["Enums"]["referral_status"] | null
        }
        Update: {
          actor_display_name?: string
          actor_id?: string | null
          actor_organization?: string | null
          assignee_id?: string | null
          assignee_name?: string | null
          created_at?: string
          event_type?: Database["public"]["Enums"]["referral_event_type"]
          from_goal_id?: string | null
          from_goal_title?: string | null
          from_status?: Database["public"]["Enums"]["referral_status"] | null
          id?: never
          note_id?: string | null
          referral_id?: string
          seeker_id?: string
          status_reason?: string | null
          status_reason_text?: string | null
          to_goal_id?: string | null
          to_goal_title?: string | null
          to_status?: Database["public"]["Enums"]["referral_status"] | null
        }
        Relationships: [
          {
            foreignKeyName: "referral_events_referral_id_fkey"
            columns: ["referral_id"]
            isOneToOne: false
            referencedRelation: "referrals"
            referencedColumns: ["id"]
          },
        ]
      }
      referral_notes: {
        Row: {
          author_display_name: string
          author_id: string | null
          author_organization: string | null
          body: string
          created_at: string
          id: string
          referral_from_program_id: string | null
          referral_from_site_id: string | null
          referral_id: string
          referral_program_id: string | null
          referral_referred_by: string | null
        }
        Insert: {
          author_display_name?: string
          author_id?: string | null
          author_organization?: string | null
          body: string
          created_at?: string
          id?: string
          referral_from_program_id?: string | null
          referral_from_site_id?: string | null
          referral_id: string
          referral_program_id?: string | null
          referral_referred_by?: string | null
        }
        Update: {
          author_display_name?: string
          author_id?: string | null
          author_organization?: string | null
          body?: string
          created_at?: string
          id?: string
          referral_from_program_id?: string | null
          referral_from_site_id?: string | null
          referral_id?: string
          referral_program_id?: string | null
          referral_referred_by?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "referral_notes_author_id_fkey"
            columns: ["author_id"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "referral_notes_referral_id_fkey"
            columns: ["referral_id"]
            isOneToOne: false
            referencedRelation: "referrals"
            referencedColumns: ["id"]
          },
        ]
      }
      referral_program_notes: {
        Row: {
          body: string
          created_at: string
          referral_id: string
        }
        Insert: {
          body: string
          created_at?: string
          referral_id: string
        }
        Update: {
          body?: string
          created_at?: string
          referral_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "referral_program_notes_referral_id_fkey"
            columns: ["referral_id"]
            isOneToOne: true
            referencedRelation: "referrals"
            referencedColumns: ["id"]
          },
        ]
      }
      referral_reads: {
        Row: {
          referral_id: string
          seen_at: string
          user_id: string
        }
        Insert: {
          referral_id: string
          seen_at?: string
          user_id?: string
        }
        Update: {
          referral_id?: string
          seen_at?: string
          user_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "referral_reads_referral_id_fkey"
            columns: ["referral_id"]
            isOneToOne: false
            referencedRelation: "referrals"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "referral_reads_user_id_fkey"
            columns: ["user_id"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
        ]
      }
      referrals: {
        Row: {
          assigned_to: string | null
          assigned_to_name: string
          comment: string
          created_at: string
          forwarded_from: string | null
          from_program_id: string | null
          from_site_id: string | null
          goal_id: string | null
          id: string
          program_id: string
          referred_by: string | null
          referred_by_name: string
          responded_at: string | null
          response_due_at: string
          seeker_id: string
          status: Database["public"]["Enums"]["referral_status"]
          status_changed_at: string | null
          status_reason: string | null
          status_reason_text: string | null
          updated_at: string
          version: number
        }
        Insert: {
          assigned_to?: string | null
          assigned_to_name?: string
          comment?: string
          created_at?: string
          forwarded_from?: string | null
          from_program_id?: string | null
          from_site_id?: string | null
          goal_id?: string | null
          id?: string
          program_id: string
          referred_by?: string | null
          referred_by_name?: string
          responded_at?: string | null
          response_due_at?: string
          seeker_id: string
          status?: Database["public"]["Enums"]["referral_status"]
          status_changed_at?: string | null
          status_reason?: string | null
          status_reason_text?: string | null
          updated_at?: string
          version?: number
        }
        Update: {
          assigned_to?: string | null
          assigned_to_name?: string
          comment?: string
          created_at?: string
          forwarded_from?: string | null
          from_program_id?: string | null
          from_site_id?: string | null
          goal_id?: string | null
          id?: string
          program_id?: string
          referred_by?: string | null
          referred_by_name?: string
          responded_at?: string | null
          response_due_at?: string
          seeker_id?: string
          status?: Database["public"]["Enums"]["referral_status"]
          status_changed_at?: string | null
          status_reason?: string | null
          status_reason_text?: string | null
          updated_at?: string
          version?: number
        }
        Relationships: [
          {
            foreignKeyName: "referrals_assigned_to_fkey"
            columns: ["assigned_to"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "referrals_forwarded_from_fkey"
            columns: ["forwarded_from"]
            isOneToOne: false
            referencedRelation: "referrals"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "referrals_from_program_id_fkey"
            columns: ["from_program_id"]
            isOneToOne: false
            referencedRelation: "programs"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "referrals_from_site_id_fkey"
            columns: ["from_site_id"]
            isOneToOne: false
            referencedRelation: "sites"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "referrals_goal_of_seeker"
            columns: ["goal_id", "seeker_id"]
            isOneToOne: false
            referencedRelation: "goals"
            referencedColumns: ["id", "seeker_id"]
          },
          {
            foreignKeyName: "referrals_program_id_fkey"
            columns: ["program_id"]
            isOneToOne: false
            referencedRelation: "programs"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "referrals_referred_by_fkey"
            columns: ["referred_by"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "referrals_seeker_id_fkey"
            columns: ["seeker_id"]
            isOneToOne: false
            referencedRelation: "seekers"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "referrals_status_reason_fkey"
            columns: ["status", "status_reason"]
            isOneToOne: false
            referencedRelation: "status_reasons"
            referencedColumns: ["status", "code"]
          },
        ]
      }
      seeker_events: {
        Row: {
          actor_display_name: string
          actor_id: string | null
          actor_organization: string | null
          created_at: string
          event_type: Database["public"]["Enums"]["seeker_event_type"]
          fields: string[]
          from_email: string | null
          from_phone: string | null
          from_preferred_contact:
            | Database["public"]["Enums"]["contact_preference"]
            | null
          id: number
          seeker_id: string
          to_email: string | null
          to_phone: string | null
          to_preferred_contact:
            | Database["public"]["Enums"]["contact_preference"]
            | null
        }
        Insert: {
          actor_display_name: string
          actor_id?: string | null
          actor_organization?: string | null
          created_at?: string
          event_type: Database["public"]["Enums"]["seeker_event_type"]
          fields: string[]
          from_email?: string | null
          from_phone?: string | null
          from_preferred_contact?:
            | Database["public"]["Enums"]["contact_preference"]
            | null
          id?: never
          seeker_id: string
          to_email?: string | null
          to_phone?: string | null
          to_preferred_contact?:
            | Database["public"]["Enums"]["contact_preference"]
            | null
        }
        Update: {
          actor_display_name?: string
          actor_id?: string | null
          actor_organization?: string | null
          created_at?: string
          event_type?: Database["public"]["Enums"]["seeker_event_type"]
          fields?: string[]
          from_email?: string | null
          from_phone?: string | null
          from_preferred_contact?:
            | Database["public"]["Enums"]["contact_preference"]
            | null
          id?: never
          seeker_id?: string
          to_email?: string | null
          to_phone?: string | null
          to_preferred_contact?:
            | Database["public"]["Enums"]["contact_preference"]
            | null
        }
        Relationships: [
          {
            foreignKeyName: "seeker_events_seeker_id_fkey"
            columns: ["seeker_id"]
            isOneToOne: false
            referencedRelation: "seekers"
            referencedColumns: ["id"]
          },
        ]
      }
      seekers: {
        Row: {
          address: string | null
          created_at: string
          created_by: string | null
          created_from_program_id: string | null
          created_from_site_id: string | null
          email: string | null
          first_name: string
          id: string
          last_name: string
          phone: string | null
          preferred_contact: Database["public"]["Enums"]["contact_preference"]
          preferred_language: Database["public"]["Enums"]["language_code"]
          search_text: string | null
          updated_at: string
          user_id: string | null
          zip: string | null
          contact_editable: boolean | null
          text_opted_out: boolean | null
        }
        Insert: {
          address?: string | null
          created_at?: string
          created_by?: string | null
          created_from_program_id?: string | null
          created_from_site_id?: string | null
          email?: string | null
          first_name: string
          id?: string
          last_name?: string
          phone?: string | null
          preferred_contact: Database["public"]["Enums"]["contact_preference"]
          preferred_language?: Database["public"]["Enums"]["language_code"]
          search_text?: never
          updated_at?: string
          user_id?: string | null
          zip?: string | null
        }
        Update: {
          address?: string | null
          created_at?: string
          created_by?: string | null
          created_from_program_id?: string | null
          created_from_site_id?: string | null
          email?: string | null
          first_name?: string
          id?: string
          last_name?: string
          phone?: string | null
          preferred_contact?: Database["public"]["Enums"]["contact_preference"]
          preferred_language?: Database["public"]["Enums"]["language_code"]
          search_text?: never
          updated_at?: string
          user_id?: string | null
          zip?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "seekers_created_by_fkey"
            columns: ["created_by"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "seekers_created_from_program_id_fkey"
            columns: ["created_from_program_id"]
            isOneToOne: false
            referencedRelation: "programs"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "seekers_created_from_site_id_fkey"
            columns: ["created_from_site_id"]
            isOneToOne: false
            referencedRelation: "sites"
            referencedColumns: ["id"]
          },
        ]
      }
      site_members: {
        Row: {
          joined_at: string
          site_id: string
          user_id: string
        }
        Insert: {
          joined_at?: string
          site_id: string
          user_id: string
        }
        Update: {
          joined_at?: string
          site_id?: string
          user_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "site_members_site_id_fkey"
            columns: ["site_id"]
            isOneToOne: false
            referencedRelation: "sites"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "site_members_user_id_fkey"
            columns: ["user_id"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
        ]
      }
      sites: {
        Row: {
          address: string | null
          created_at: string
          email: string | null
          id: string
          name: string
          phone: string | null
          team_sharing: boolean
          updated_at: string
        }
        Insert: {
          address?: string | null
          created_at?: string
          email?: string | null
          id?: string
          name: string
          phone?: string | null
          team_sharing?: boolean
          updated_at?: string
        }
        Update: {
          address?: string | null
          created_at?: string
          email?: string | null
          id?: string
          name?: string
          phone?: string | null
          team_sharing?: boolean
          updated_at?: string
        }
        Relationships: []
      }
      status_reasons: {
        Row: {
          active: boolean
          code: string
          label_en: string
          label_es: string
          sort: number
          status: Database["public"]["Enums"]["referral_status"]
        }
        Insert: {
          active?: boolean
          code: string
          label_en: string
          label_es: string
          sort?: number
          status: Database["public"]["Enums"]["referral_status"]
        }
        Update: {
          active?: boolean
          code?: string
          label_en?: string
          label_es?: string
          sort?: number
          status?: Database["public"]["Enums"]["referral_status"]
        }
        Relationships: []
      }
      taxonomy_category_map: {
        Row: {
          category: Database["public"]["Enums"]["service_category"]
          taxonomy: string
          term: string
        }
        Insert: {
          category: Database["public"]["Enums"]["service_category"]
          taxonomy: string
          term: string
        }
        Update: {
          category?: Database["public"]["Enums"]["service_category"]
          taxonomy?: string
          term?: string
        }
        Relationships: []
      }
      taxonomy_terms: {
        Row: {
          code: string | null
          description: string
          id: string
          name: string
          parent_id: string | null
          taxonomy: string | null
        }
        Insert: {
          code?: string | null
          description?: string
          id: string
          name: string
          parent_id?: string | null
          taxonomy?: string | null
        }
        Update: {
          code?: string | null
          description?: string
          id?: string
          name?: string
          parent_id?: string | null
          taxonomy?: string | null
        }
        Relationships: []
      }
      zip_centroids: {
        Row: {
          latitude: number
          longitude: number
          zip: string
        }
        Insert: {
          latitude: number
          longitude: number
          zip: string
        }
        Update: {
          latitude?: number
          longitude?: number
          zip?: string
        }
        Relationships: []
      }
    }
    Views: {
      [_ in never]: never
    }
    Functions: {
      apply_one_click_link: {
        Args: {
          p_status_reason?: string
          p_status_reason_text?: string
          p_token: string
        }
        Returns: Json
      }
      changed_referrals: {
        Args: { max_results?: number; skip?: number }
        Returns: {
          assigned_to: string | null
          assigned_to_name: string
          comment: string
          created_at: string
          forwarded_from: string | null
          from_program_id: string | null
          from_site_id: string | null
          goal_id: string | null
          id: string
          program_id: string
          referred_by: string | null
          referred_by_name: string
          responded_at: string | null
          response_due_at: string
          seeker_id: string
          status: Database["public"]["Enums"]["referral_status"]
          status_changed_at: string | null
          status_reason: string | null
          status_reason_text: string | null
          updated_at: string
          version: number
        }[]
        SetofOptions: {
          from: "*"
          to: "referrals"
          isOneToOne: false
          isSetofReturn: true
        }
      }
      claim_notification_jobs: {
        Args: { p_lease_seconds?: number; p_limit?: number }
        Returns: Json[]
      }
      contact_editable: {
        Args: { "": Database["public"]["Tables"]["seekers"]["Row"] }
        Returns: {
          error: true
        } & "the function public.contact_editable with parameter or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache"
      }
      create_referral: {
        Args: {
          comment?: string
          from_program_id?: string
          from_site_id?: string
          program_id: string
          program_note?: string
          seeker_id: string
        }
        Returns: {
          assigned_to: string | null
          assigned_to_name: string
          comment: string
          created_at: string
          forwarded_from: string | null
          from_program_id: string | null
          from_site_id: string | null
          goal_id: string | null
          id: string
          program_id: string
          referred_by: string | null
          referred_by_name: string
          responded_at: string | null
          response_due_at: string
          seeker_id: string
          status: Database["public"]["Enums"]["referral_status"]
          status_changed_at: string | null
          status_reason: string | null
          status_reason_text: string | null
          updated_at: string
          version: number
        }
        SetofOptions: {
          from: "*"
          to: "referrals"
          isOneToOne: true
          isSetofReturn: false
        }
      }
      current_capacity: {
        Args: {
          p_capacity: Database["public"]["Enums"]["program_capacity"]
          p_updated_at: string
        }
        Returns: Database["public"]["Enums"]["program_capacity"]
      }
      finish_notification_job: {
        Args: {
          p_error?: string
          p_job_id: string
          p_outcome: string
          p_provider_message_id?: string
        }
        Returns: Database["public"]["Enums"]["notification_state"]
      }
      forward_referral: {
        Args: {
          p_comment?: string
          p_program_id: string
          p_referral_id: string
          p_status_reason: string
          p_status_reason_text?: string
          p_version: number
        }
        Returns: string
      }
      hold_quiet_texts: { Args: { p_now?: string }; Returns: number }
      hsds_organization: { Args: { id: string }; Returns: Json }
      hsds_organizations: {
        Args: { page?: number; per_page?: number; search?: string }
        Returns: Json
      }
      hsds_service: { Args: { id: string }; Returns: Json }
      hsds_service_at_locations: {
        Args: {
          modified_after?: string
          organization_id?: string
          page?: number
          per_page?: number
          postcode?: string
          proximity?: number
          search?: string
          taxonomy_term_id?: string
        }
        Returns: Json
      }
      hsds_services: {
        Args: {
          modified_after?: string
          organization_id?: string
          page?: number
          per_page?: number
          search?: string
          taxonomy_term_id?: string
        }
        Returns: Json
      }
      inspect_one_click_choice: { Args: { p_token: string }; Returns: Json }
      inspect_one_click_link: { Args: { p_token: string }; Returns: Json }
      mark_referral_seen: { Args: { referral_id: string }; Returns: string }
      my_realtime_topics: {
        Args: Record<PropertyKey, never>
        Returns: string[]
      }
      outbound_referrals: {
        Args: { max_results?: number; skip?: number }
        Returns: {
          assigned_to: string | null
          assigned_to_name: string
          comment: string
          created_at: string
          forwarded_from: string | null
          from_program_id: string | null
          from_site_id: string | null
          goal_id: string | null
          id: string
          program_id: string
          referred_by: string | null
          referred_by_name: string
          responded_at: string | null
          response_due_at: string
          seeker_id: string
          status: Database["public"]["Enums"]["referral_status"]
          status_changed_at: string | null
          status_reason: string | null
          status_reason_text: string | null
          updated_at: string
          version: number
        }[]
        SetofOptions: {
          from: "*"
          to: "referrals"
          isOneToOne: false
          isSetofReturn: true
        }
      }
      prepare_text_job: { Args: { p_job_id: string }; Returns: Json }
      record_inbound_text: {
        Args: { p_body: string; p_from: string }
        Returns: Json
      }
      record_text_delivery: {
        Args: {
          p_error_code?: string
          p_job_id: string
          p_message_sid: string
          p_status: string
        }
        Returns: boolean
      }
      referral_forwards: {
        Args: { p_referral_id: string }
        Returns: {
          created_at: string
          direction: string
          program_id: string
          program_name: string
          referral_id: string
        }[]
      }
      referral_report: {
        Args: {
          p_from: string
          p_program_ids?: string[]
          p_site_ids?: string[]
          p_time_zone?: string
          p_to: string
        }
        Returns: Json
      }
      report_referral_rows: {
        Args: {
          p_from: string
          p_program_ids?: string[]
          p_site_ids?: string[]
          p_to: string
        }
        Returns: {
          created_at: string
          id: string
          made: boolean
          made_from_name: string
          outcome_at: string
          overdue: boolean
          program_id: string
          program_name: string
          reason: string
          received: boolean
          responded_at: string
          response_due_at: string
          seeker_name: string
          status: Database["public"]["Enums"]["referral_status"]
          status_group: string
        }[]
      }
      retry_notification_jobs: {
        Args: { p_job_ids?: string[] }
        Returns: number
      }
      run_response_clocks: { Args: { as_of?: string }; Returns: Json }
      search_people: {
        Args: {
          max_results?: number
          query?: string
          skip?: number
          sort?: string
        }
        Returns: {
          created_at: string
          email: string
          first_name: string
          id: string
          last_name: string
          phone: string
          preferred_contact: Database["public"]["Enums"]["contact_preference"]
          preferred_language: Database["public"]["Enums"]["language_code"]
          total_count: number
          updated_at: string
          zip: string
        }[]
      }
      search_programs: {
        Args: {
          accepting_only?: boolean
          categories?: Database["public"]["Enums"]["service_category"][]
          max_results?: number
          query?: string
          skip?: number
          within_miles?: number
          zip: string
        }
        Returns: {
          address: string
          capacity: Database["public"]["Enums"]["program_capacity"]
          capacity_updated_at: string
          capacity_wait: string
          description: string
          distance_miles: number
          email: string
          id: string
          name: string
          phone: string
          program_zip: string
          service_categories: Database["public"]["Enums"]["service_category"][]
          verified_at: string
          website: string
        }[]
      }
      text_opted_out: {
        Args: { "": Database["public"]["Tables"]["seekers"]["Row"] }
        Returns: {
          error: true
        } & "the function public.text_opted_out with parameter or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache"
      }
    }
    Enums: {
      contact_preference: "email" | "text" | "phone" | "none"
      language_code: "en" | "es"
      notification_channel: "email" | "sms"
      notification_event:
        | "created"
        | "status_changed"
        | "contact_changed"
        | "reminder"
        | "escalation"
        | "assigned"
      notification_recipient_kind: "seeker" | "program" | "helper"
      notification_state: "pending" | "sending" | "sent" | "dead" | "not_sent"
      program_capacity: "accepting" | "waitlist" | "not_accepting" | "unknown"
      program_report_reason:
        | "closed"
        | "phone"
        | "address"
        | "hours"
        | "eligibility"
        | "other"
      program_report_status: "open" | "resolved" | "dismissed"
      referral_event_type:
        | "created"
        | "status_changed"
        | "note_added"
        | "note_deleted"
        | "goal_added"
        | "goal_moved"
        | "goal_removed"
        | "assigned"
        | "referred_not_accepting"
      referral_status:
        | "not_updated"
        | "needs_client_action"
        | "pending"
        | "referred_elsewhere"
        | "eligible"
        | "got_help"
        | "couldnt_contact"
        | "not_eligible"
        | "no_capacity"
        | "couldnt_get_help"
        | "no_longer_interested"
      seeker_event_type: "contact_changed"
      service_category:
        | "food"
        | "housing"
        | "goods"
        | "transit"
        | "health"
        | "money"
        | "care"
        | "education"
        | "work"
        | "legal"
    }
    CompositeTypes: {
      [_ in never]: never
    }
  }
}

type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] &
        DefaultSchema["Views"])
    ? (DefaultSchema["Tables"] &
        DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
        Row: infer R
      }
      ? R
      : never
    : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Insert: infer I
      }
      ? I
      : never
    : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Update: infer U
      }
      ? U
      : never
    : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends (DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never) = never,
> = DefaultSchemaEnumNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
    : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends (PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never) = never,
> = PublicCompositeTypeNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
    : never

export const Constants = {
  public: {
    Enums: {
      contact_preference: ["email", "text", "phone", "none"],
      language_code: ["en", "es"],
      notification_channel: ["email", "sms"],
      notification_event: [
        "created",
        "status_changed",
        "contact_changed",
        "reminder",
        "escalation",
        "assigned",
      ],
      notification_recipient_kind: ["seeker", "program", "helper"],
      notification_state: ["pending", "sending", "sent", "dead", "not_sent"],
      program_capacity: ["accepting", "waitlist", "not_accepting", "unknown"],
      program_report_reason: [
        "closed",
        "phone",
        "address",
        "hours",
        "eligibility",
        "other",
      ],
      program_report_status: ["open", "resolved", "dismissed"],
      referral_event_type: [
        "created",
        "status_changed",
        "note_added",
        "note_deleted",
        "goal_added",
        "goal_moved",
        "goal_removed",
        "assigned",
        "referred_not_accepting",
      ],
      referral_status: [
        "not_updated",
        "needs_client_action",
        "pending",
        "referred_elsewhere",
        "eligible",
        "got_help",
        "couldnt_contact",
        "not_eligible",
        "no_capacity",
        "couldnt_get_help",
        "no_longer_interested",
      ],
      seeker_event_type: ["contact_changed"],
      service_category: [
        "food",
        "housing",
        "goods",
        "transit",
        "health",
        "money",
        "care",
        "education",
        "work",
        "legal",
      ],
    },
  },
} as const
